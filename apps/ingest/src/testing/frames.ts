import {
  buildConfig,
  dataFrameFromMeasurements,
  encodeFrame,
  type ConfigFrame,
  type DataFrameView,
} from '@gridcloud/c37118';
import { FrameSample, SampleRecords } from '../pipeline/pmu-sample';

/** A stream configuration with `pmuIds.length` PMU blocks of two phasors each, for tests. */
export function testConfig(streamId: number, pmuIds: readonly number[], fps = 30): ConfigFrame {
  return buildConfig({
    idcode: streamId,
    dataRate: fps,
    pmus: pmuIds.map((id) => ({ stationName: `PMU${id}`, idcode: id, phasors: ['V1', 'I1'] })),
  });
}

/** An encoded data frame of `config` for reporting instant `k` after `soc0`, values derived from k. */
export function testDataFrame(config: ConfigFrame, soc0: number, k: number, stat = 0, fps = 30): Uint8Array {
  const time = { soc: soc0 + Math.floor(k / fps), fracsec: Math.round(((k % fps) * 1_000_000) / fps) };
  const m = config.pmus.map((p, i) => ({
    stat,
    phasors: [1 + k / 1000, i / 100, 0.5, -0.1],
    freqHz: 60 + i / 1000,
    rocofHzPerS: 0,
  }));
  return encodeFrame(dataFrameFromMeasurements(config, time, m), config);
}

/** PMU `idcode`'s sample (position `p`) of a decoded frame, as the pipeline makes it, in records of its own. */
export function frameSampleOf(
  view: DataFrameView,
  p: number,
  idcode: number,
  arrivalMs: number,
): FrameSample {
  const records = new SampleRecords(0);
  const at = records.write(view, p, arrivalMs);
  records.commit();
  return new FrameSample(records.copy(), at, idcode);
}
