import type { Config3Frame, ConfigFrame } from '@gridcloud/c37118';

/** PHSCALE type byte: bit 3 marks a current; bits 2-0 = 001, positive sequence (what a power-flow phasor is). */
const POSITIVE_SEQUENCE = 1;
const CURRENT_BIT = 8;

/**
 * The CFG-3 view of a simulated stream's CFG-2: same channels and format,
 * scales as the CFG-2's PHUNIT and ANUNIT say (1 for float phasors, which
 * are in per unit already), no angle offset, a G_PMU_ID derived from the
 * IDCODE, P-class service with a two-cycle window. The simulator has no
 * geography, so position is reported as 0.
 */
export function config3Of(cfg: ConfigFrame): Config3Frame {
  return {
    kind: 'cfg3',
    version: 2,
    idcode: cfg.idcode,
    soc: cfg.soc,
    fracsec: cfg.fracsec,
    timeQuality: cfg.timeQuality,
    contIdx: 0,
    timeBase: cfg.timeBase,
    dataRate: cfg.dataRate,
    pmus: cfg.pmus.map((p) => ({
      stationName: p.stationName,
      idcode: p.idcode,
      globalPmuId: p.idcode.toString(16).padStart(32, '0'),
      format: p.format,
      phasors: p.phasors.map((ph) => ({
        name: ph.name,
        modificationFlags: 0,
        typeIndication: POSITIVE_SEQUENCE | (ph.isCurrent ? CURRENT_BIT : 0),
        userDesignation: 0,
        scale: p.format.phasorFloat ? 1 : ph.phunit * 1e-5,
        angleOffsetRad: 0,
      })),
      analogs: p.analogs.map((a) => ({
        name: a.name,
        scale: p.format.analogFloat ? 1 : a.anunit,
        offset: 0,
      })),
      digitals: p.digitals,
      latitude: 0,
      longitude: 0,
      elevation: 0,
      serviceClass: 'P',
      windowUs: Math.round((2 / p.nominalFrequencyHz) * 1e6),
      groupDelayUs: 0,
      nominalFrequencyHz: p.nominalFrequencyHz,
      cfgcnt: p.cfgcnt,
    })),
  };
}
