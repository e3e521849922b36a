import { buildConfig, type ConfigFrame } from '@gridcloud/c37118';
import { branchCurrent, PowerFlowDivergenceError, ZigguratNormal, type RandomSource } from '@gridcloud/grid';
import { DataFrameWriter } from '../wire/data-frame-writer';
import type { GridTruth, OperatingPoint } from './grid-truth';
import { Motion, type MotionOptions } from './motion';
import { channelsAt, type SimulatedPmu } from './pmu-channels';
import type { ScenarioEvent } from './scenario-event';
import { sameKey, TruthSchedule, type TruthKey } from './truth-schedule';
import { solvingTruthSource, type TruthSource } from './truth-source';
import { packStreams } from './stream-packing';
import { BlockValues } from './block-values';
import { DEFAULT_STREAM_FORMAT, pmuConfigOf, type StreamFormat } from './stream-format';

export interface SimModelOptions {
  readonly framesPerSecond: number;
  /** PMUs to simulate; beyond the placement they repeat its buses with their own noise. */
  readonly pmuCount: number;
  /**
   * PMUs per stream: 1 for PMUs, more for a substation PDC sending several PMU blocks per frame, or 'all': every
   * PMU in as few streams as fit one frame (65,535 bytes), numbered from `streamIdcodeBase`.
   */
  readonly pmusPerStream: number | 'all';
  readonly idcodeBase: number;
  /** IDCODE of the first multi-PMU stream (used when pmusPerStream is not 1). */
  readonly streamIdcodeBase: number;
  /** Standard deviation of the noise on each rectangular phasor component, per unit. */
  readonly noiseSigmaPu: number;
  readonly freqNoiseHz: number;
  readonly resolveIntervalS: number;
  /** FREQ/DFREQ on the wire: float (absolute Hz) or int16 (mHz from nominal), as some PDCs only read the latter. */
  readonly freqFormat: 'float' | 'int16';
  /** Phasor format, analogs and digitals of every stream (default float rectangular, neither). */
  readonly format?: StreamFormat;
  /** Streams (by IDCODE) that use another format than `format`. */
  readonly streamFormats?: ReadonlyMap<number, StreamFormat>;
  readonly motion: MotionOptions;
  readonly events: readonly ScenarioEvent[];
}

/** One stream: a PMU, or a PDC carrying several PMU blocks per frame. */
export interface SimStream {
  readonly idcode: number;
  readonly pmus: readonly SimulatedPmu[];
  readonly config: ConfigFrame;
  readonly format: StreamFormat;
  readonly writer: DataFrameWriter;
  /** Truth of every channel of every PMU, (re, im) pairs, updated at each re-solve. */
  readonly truth: Float64Array;
}

/** A new operating point and why it was computed; written to the truth file. */
export interface TruthRecord {
  readonly timeSec: number;
  readonly cause: 'start' | 'drift' | 'trip';
  readonly point: OperatingPoint;
}

const STAT_DO_NOT_USE = 0xc000;
const STAT_SYNC_LOST = 1 << 13;
const STAT_CONFIG_CHANGE_PENDING = 1 << 10;
/** How long before a configuration change its frames announce it. */
const CONFIG_CHANGE_NOTICE_S = 1;
/** FRACSEC message time quality 0x7: clock within 1 ms of UTC, what a PMU in GPS holdover can claim. */
const HOLDOVER_TIME_QUALITY = 0x7;

/**
 * The pure simulator: given a reporting instant it returns the data frames
 * of every stream. Truth comes from a power flow re-solved as the load
 * drifts and when a line trips; phasors turn with the frequency deviation
 * and carry seeded Gaussian noise. Dropouts and GPS-unlocked flags follow
 * the scenario. No clocks or sockets: the runtime asks for instants.
 */
export class PmuSimulator {
  readonly pmus: readonly SimulatedPmu[];
  private readonly streamList: SimStream[];
  private readonly changesApplied = new Set<ScenarioEvent>();
  private readonly motion: Motion;
  private readonly noise: ZigguratNormal;
  /** Each stream's value arrays, reused instant after instant (a configuration change makes a new stream). */
  private readonly blockValues = new WeakMap<SimStream, BlockValues>();
  private point: OperatingPoint | undefined;
  private key: TruthKey | undefined;
  readonly schedule: TruthSchedule;
  private truthSource: TruthSource;
  private startSlot: number | undefined;
  resolveFailures = 0;

  constructor(
    readonly options: SimModelOptions,
    readonly grid: GridTruth,
    random: RandomSource,
  ) {
    this.motion = new Motion(options.motion);
    this.schedule = new TruthSchedule(options.resolveIntervalS, options.events, this.motion);
    this.truthSource = solvingTruthSource(grid, this.schedule);
    this.noise = new ZigguratNormal(random);
    this.pmus = this.buildPmus();
    this.streamList = this.buildStreams();
  }

  /** The streams as currently configured (a configuration change replaces one). */
  get streams(): readonly SimStream[] {
    return this.streamList;
  }

  streamById(idcode: number): SimStream | undefined {
    return this.streamList.find((s) => s.idcode === idcode);
  }

  /** Seconds since the first instant simulated. */
  elapsedS(slot: number): number {
    return (slot - (this.startSlot ?? slot)) / this.options.framesPerSecond;
  }

  /**
   * Takes the operating point of the slot's truth key (a new drift epoch or a trip since the last one); returns
   * the new truth if any. The point comes from the truth source: solved here by default, or ahead of time by a
   * look-ahead worker (the same key gives the same point either way).
   */
  advance(slot: number): TruthRecord | undefined {
    this.startSlot ??= slot;
    const tS = this.elapsedS(slot);
    const reconfigured = this.applyConfigChanges(tS);
    if (this.point !== undefined && reconfigured)
      for (const st of this.streamList) this.fillTruth(st, this.point);
    const key = this.schedule.keyAt(tS);
    if (this.key !== undefined && sameKey(key, this.key)) return undefined;
    const cause = this.key === undefined ? 'start' : key.trips !== this.key.trips ? 'trip' : 'drift';
    this.key = key;
    try {
      this.point = this.truthSource.pointFor(key);
    } catch (error) {
      // A drift step the power flow cannot solve keeps the last truth; the first one must succeed.
      if (!(error instanceof PowerFlowDivergenceError) || this.point === undefined) throw error;
      this.resolveFailures += 1;
      return undefined;
    }
    for (const s of this.streams) this.fillTruth(s, this.point);
    return { timeSec: slot / this.options.framesPerSecond, cause, point: this.point };
  }

  /** Where operating points come from from now on (the runtime installs a look-ahead worker). */
  useTruthSource(source: TruthSource): void {
    this.truthSource = source;
  }

  /** Data frames of every reporting stream for `slot`; dropped-out single-PMU streams send nothing. */
  framesAt(slot: number): { stream: SimStream; bytes: Uint8Array }[] {
    this.advance(slot);
    const fps = this.options.framesPerSecond;
    const soc = Math.floor(slot / fps);
    const fracsec = Math.round(((slot - soc * fps) * 1_000_000) / fps);
    const tS = this.elapsedS(slot);
    const f = this.motion.frequency(tS, this.tripTimes(tS));
    // Once per instant, not per stream: the breaker words of every stream read it.
    const tripped = new Set(this.trippedAt(tS));
    const out: { stream: SimStream; bytes: Uint8Array }[] = [];
    for (const s of this.streams) {
      const pending = this.changePending(s.idcode, tS) ? STAT_CONFIG_CHANGE_PENDING : 0;
      const bytes = this.frameOf(s, soc, fracsec, tS, f, pending, tripped);
      if (bytes !== undefined) out.push({ stream: s, bytes });
    }
    return out;
  }

  get operatingPoint(): OperatingPoint | undefined {
    return this.point;
  }

  private frameOf(
    s: SimStream,
    soc: number,
    fracsec: number,
    tS: number,
    f: { readonly deltaHz: number; readonly rocofHzPerS: number; readonly phaseRad: number },
    statBits: number,
    tripped: ReadonlySet<number>,
  ): Uint8Array | undefined {
    const n = s.pmus.length;
    const values = this.valuesOf(s);
    const cos = Math.cos(f.phaseRad);
    const sin = Math.sin(f.phaseRad);
    let reporting = 0;
    let timeFlags = 0;
    let c = 0;
    for (let p = 0; p < n; p += 1) {
      const pmu = s.pmus[p];
      const dropped = this.isActive('dropout', pmu.idcode, tS);
      values.stat[p] |= statBits;
      if (this.isActive('gps-unlock', pmu.idcode, tS)) {
        values.stat[p] |= STAT_SYNC_LOST;
        timeFlags = HOLDOVER_TIME_QUALITY;
      }
      if (dropped) values.stat[p] |= STAT_DO_NOT_USE;
      else reporting += 1;
      for (let k = 0; k < pmu.channels.length; k += 1, c += 1)
        this.measure(s.truth, values.phasors, c, cos, sin, dropped);
      values.freqHz[p] = dropped ? Number.NaN : 60 + f.deltaHz + this.options.freqNoiseHz * this.noise.next();
      values.rocof[p] = dropped ? Number.NaN : f.rocofHzPerS;
      values.fillLinePowerAndBreakers(p, tripped);
    }
    if (reporting === 0 && n === 1) return undefined;
    return s.writer.write(soc, fracsec, timeFlags, values);
  }

  private valuesOf(s: SimStream): BlockValues {
    let values = this.blockValues.get(s);
    if (values === undefined) {
      values = new BlockValues(s, this.grid.baseNet.baseMVA);
      this.blockValues.set(s, values);
    } else values.clearFlags();
    return values;
  }

  private measure(
    truth: Float64Array,
    out: Float64Array,
    c: number,
    cos: number,
    sin: number,
    dropped: boolean,
  ): void {
    if (dropped) {
      out[2 * c] = Number.NaN;
      out[2 * c + 1] = Number.NaN;
      return;
    }
    const re = truth[2 * c];
    const im = truth[2 * c + 1];
    const sigma = this.options.noiseSigmaPu;
    out[2 * c] = re * cos - im * sin + (sigma === 0 ? 0 : sigma * this.noise.next());
    out[2 * c + 1] = re * sin + im * cos + (sigma === 0 ? 0 : sigma * this.noise.next());
  }

  private fillTruth(s: SimStream, point: OperatingPoint): void {
    let c = 0;
    for (const pmu of s.pmus) {
      for (const ch of pmu.channels) {
        const [re, im] =
          ch.kind === 'voltage'
            ? [point.vRe[ch.bus], point.vIm[ch.bus]]
            : branchCurrent(point.net, ch.branch, ch.end, point.vRe, point.vIm);
        s.truth[2 * c] = re;
        s.truth[2 * c + 1] = im;
        c += 1;
      }
    }
  }

  /** Replaces the streams whose configuration change is due; true when any was replaced. */
  private applyConfigChanges(tS: number): boolean {
    let changed = false;
    for (const e of this.options.events) {
      if (e.kind !== 'config-change' || e.atS > tS || this.changesApplied.has(e)) continue;
      this.changesApplied.add(e);
      const i = this.streamList.findIndex((s) => s.idcode === e.idcode);
      if (i < 0) continue;
      const old = this.streamList[i];
      const pmus = old.pmus.map((p) => ({
        ...p,
        channels: p.channels.length > 1 ? p.channels.slice(0, -1) : p.channels,
      }));
      this.streamList[i] = this.makeStream(old.idcode, pmus, old.config.pmus[0].cfgcnt + 1);
      changed = true;
    }
    return changed;
  }

  private changePending(idcode: number, tS: number): boolean {
    for (const e of this.options.events) {
      if (
        e.kind === 'config-change' &&
        e.idcode === idcode &&
        tS >= e.atS - CONFIG_CHANGE_NOTICE_S &&
        tS < e.atS
      )
        return true;
    }
    return false;
  }

  private isActive(kind: 'dropout' | 'gps-unlock', idcode: number, tS: number): boolean {
    for (const e of this.options.events) {
      if (e.kind === kind && e.idcode === idcode && tS >= e.fromS && tS < e.toS) return true;
    }
    return false;
  }

  private tripTimes(tS: number): number[] {
    return this.options.events.flatMap((e) => (e.kind === 'trip-line' && e.atS <= tS ? [e.atS] : []));
  }

  private trippedAt(tS: number): number[] {
    return this.options.events.flatMap((e) => (e.kind === 'trip-line' && e.atS <= tS ? [e.branch] : []));
  }

  private buildPmus(): SimulatedPmu[] {
    const placed = this.grid.pmuBuses;
    const net = this.grid.baseNet;
    return Array.from({ length: this.options.pmuCount }, (_, i) => {
      const bus = placed[i % placed.length];
      const idcode = this.options.idcodeBase + i;
      return {
        idcode,
        stationName: `PMU${idcode} BUS${net.busIds[bus]}`.slice(0, 16),
        bus,
        busId: net.busIds[bus],
        channels: channelsAt(net, bus),
      };
    });
  }

  private buildStreams(): SimStream[] {
    const per = this.options.pmusPerStream;
    const base = this.options.streamIdcodeBase;
    const groups =
      per === 'all' ? packStreams(this.pmus, (pmus) => this.configOf(base, pmus, 1)) : chunks(this.pmus, per);
    return groups.map((pmus, s) => this.makeStream(per === 1 ? pmus[0].idcode : base + s, pmus, 1));
  }

  private makeStream(idcode: number, pmus: readonly SimulatedPmu[], cfgcnt: number): SimStream {
    const format = this.formatOf(idcode);
    const config = this.configOf(idcode, pmus, cfgcnt, format);
    const channels = pmus.reduce((n, p) => n + p.channels.length, 0);
    return {
      idcode,
      pmus,
      config,
      format,
      writer: new DataFrameWriter(config),
      truth: new Float64Array(2 * channels),
    };
  }

  private formatOf(idcode: number): StreamFormat {
    return this.options.streamFormats?.get(idcode) ?? this.options.format ?? DEFAULT_STREAM_FORMAT;
  }

  private configOf(
    idcode: number,
    pmus: readonly SimulatedPmu[],
    cfgcnt: number,
    format = this.formatOf(idcode),
  ): ConfigFrame {
    const freqFloat = this.options.freqFormat === 'float';
    return {
      ...buildConfig({ idcode, dataRate: this.options.framesPerSecond, pmus: [] }),
      pmus: pmus.map((p) => pmuConfigOf(p, format, cfgcnt, freqFloat)),
    };
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}
