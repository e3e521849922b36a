/**
 * The C37.118.2 frame model. Object-form frames hold the values exactly as
 * they are on the wire (integers stay integers, names keep their meaning),
 * so `encodeFrame(decodeFrame(bytes))` reproduces the bytes. Conversion to
 * engineering units lives in `units.ts` and in the hot-path `DataFrameView`.
 */
export type FrameKind = 'data' | 'header' | 'cfg1' | 'cfg2' | 'cfg3' | 'cmd';

export const FRAME_KINDS: readonly FrameKind[] = ['data', 'header', 'cfg1', 'cfg2', 'cfg3', 'cmd'];

/** Frame type code carried in bits 6-4 of the second SYNC byte. */
export const FRAME_TYPE_CODE: Readonly<Record<FrameKind, number>> = {
  data: 0,
  header: 1,
  cfg1: 2,
  cfg2: 3,
  cmd: 4,
  cfg3: 5,
};

export const KIND_BY_CODE: readonly (FrameKind | undefined)[] = [
  'data',
  'header',
  'cfg1',
  'cfg2',
  'cmd',
  'cfg3',
];

/** Version number in bits 3-0 of the second SYNC byte. */
export const VERSION_2005 = 1;
export const VERSION_2011 = 2;

export const SYNC_LEAD_BYTE = 0xaa;
/** SYNC, FRAMESIZE, IDCODE, SOC, FRACSEC. */
export const COMMON_HEADER_BYTES = 14;
export const CHK_BYTES = 2;
export const MIN_FRAME_BYTES = COMMON_HEADER_BYTES + CHK_BYTES;
export const MAX_FRAME_BYTES = 0xffff;

/** Bits 31-24 of FRACSEC. */
export interface TimeQuality {
  /** Bit 7: reserved; kept so a frame re-encodes to the same bytes. */
  readonly reserved: boolean;
  /** Bit 6: leap second direction, true for a deleted second. */
  readonly leapSecondNegative: boolean;
  /** Bit 5: a leap second occurred within the last 24 hours. */
  readonly leapSecondOccurred: boolean;
  /** Bit 4: a leap second is pending. */
  readonly leapSecondPending: boolean;
  /** Bits 3-0: message time quality code (0 locked to UTC, 15 clock failure). */
  readonly code: number;
}

export interface FrameCommon {
  /** 1 = C37.118-2005, 2 = C37.118.2-2011. */
  readonly version: number;
  readonly idcode: number;
  /** Second of century (UNIX seconds). */
  readonly soc: number;
  /** Fraction of second: 24-bit count of 1/TIME_BASE. */
  readonly fracsec: number;
  readonly timeQuality: TimeQuality;
}

/** FORMAT word bits 3-0. */
export interface DataFormat {
  readonly polar: boolean;
  readonly phasorFloat: boolean;
  readonly analogFloat: boolean;
  readonly freqFloat: boolean;
}

export interface PhasorChannel {
  readonly name: string;
  readonly isCurrent: boolean;
  /** PHUNIT scale: unsigned 24-bit, in 1e-5 V or A per bit (used when phasors are int16). */
  readonly phunit: number;
}

/** ANUNIT type byte: 0 single point-on-wave, 1 RMS, 2 peak. */
export interface AnalogChannel {
  readonly name: string;
  readonly kind: number;
  /** ANUNIT scale: signed 24-bit user-defined scaling. */
  readonly anunit: number;
}

export interface DigitalWord {
  /** Sixteen channel names, bit 0 first. */
  readonly names: readonly string[];
  readonly normalMask: number;
  readonly validMask: number;
}

export interface PmuConfig {
  readonly stationName: string;
  readonly idcode: number;
  readonly format: DataFormat;
  readonly phasors: readonly PhasorChannel[];
  readonly analogs: readonly AnalogChannel[];
  readonly digitals: readonly DigitalWord[];
  readonly nominalFrequencyHz: 50 | 60;
  readonly cfgcnt: number;
}

export interface ConfigFrame extends FrameCommon {
  readonly kind: 'cfg1' | 'cfg2';
  /** TIME_BASE bits 23-0. */
  readonly timeBase: number;
  readonly pmus: readonly PmuConfig[];
  /** Frames per second when positive, seconds per frame when negative. */
  readonly dataRate: number;
}

/** CFG-3 PHSCALE: flags word, then scale and angle offset as float32. */
export interface Phasor3Channel {
  readonly name: string;
  /** First 16 bits of the flags word: data-modification flags. */
  readonly modificationFlags: number;
  /** Third byte: phasor type indication (bit 3 set for current, bits 2-0 component). */
  readonly typeIndication: number;
  /** Fourth byte: user designation. */
  readonly userDesignation: number;
  readonly scale: number;
  readonly angleOffsetRad: number;
}

/** CFG-3 ANSCALE: value = scale * raw + offset. */
export interface Analog3Channel {
  readonly name: string;
  readonly scale: number;
  readonly offset: number;
}

export interface Pmu3Config {
  readonly stationName: string;
  readonly idcode: number;
  /** G_PMU_ID as 32 lowercase hex digits. */
  readonly globalPmuId: string;
  readonly format: DataFormat;
  readonly phasors: readonly Phasor3Channel[];
  readonly analogs: readonly Analog3Channel[];
  readonly digitals: readonly DigitalWord[];
  readonly latitude: number;
  readonly longitude: number;
  readonly elevation: number;
  /** 'M' or 'P'. */
  readonly serviceClass: string;
  readonly windowUs: number;
  readonly groupDelayUs: number;
  readonly nominalFrequencyHz: 50 | 60;
  readonly cfgcnt: number;
}

export interface Config3Frame extends FrameCommon {
  readonly kind: 'cfg3';
  /**
   * Continuation index: 0 for a whole configuration. A configuration too long
   * for one frame travels as a series (CONT_IDX 1, 2, ..., 0xFFFF) that the
   * stream decoder reassembles into one object with CONT_IDX 0.
   */
  readonly contIdx: number;
  /** How many frames the stream decoder reassembled this configuration from; absent when it came in one. */
  readonly fragments?: number;
  readonly timeBase: number;
  readonly pmus: readonly Pmu3Config[];
  readonly dataRate: number;
}

/** One PMU's block in a data frame, wire-domain values. */
export interface PmuData {
  readonly stat: number;
  /** Two numbers per phasor: (real, imaginary) or (magnitude, angle) as the FORMAT says. */
  readonly phasors: readonly number[];
  readonly freq: number;
  readonly dfreq: number;
  readonly analogs: readonly number[];
  readonly digitals: readonly number[];
}

export interface DataFrame extends FrameCommon {
  readonly kind: 'data';
  readonly pmus: readonly PmuData[];
}

export interface HeaderFrame extends FrameCommon {
  readonly kind: 'header';
  readonly text: string;
}

export const COMMAND = {
  stop: 1,
  start: 2,
  header: 3,
  cfg1: 4,
  cfg2: 5,
  cfg3: 6,
  extended: 8,
} as const;

export type CommandName = keyof typeof COMMAND;

export interface CommandFrame extends FrameCommon {
  readonly kind: 'cmd';
  readonly command: number;
  /** Extended frame data (user-defined words); empty for ordinary commands. */
  readonly extended: Uint8Array;
}

export type AnyConfigFrame = ConfigFrame | Config3Frame;
export type Frame = DataFrame | HeaderFrame | ConfigFrame | Config3Frame | CommandFrame;
