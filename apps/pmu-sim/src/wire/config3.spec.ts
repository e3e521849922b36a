import {
  buildConfig,
  decodeFrameOrThrow,
  encodeFrame,
  StreamDecoder,
  type DataFrameView,
} from '@gridcloud/c37118';
import { describe, expect, it } from 'vitest';
import { config3Of } from './config3';
import { DataFrameWriter } from './data-frame-writer';

describe('config3Of', () => {
  it('encodes a CFG-3 that decodes to itself and describes the same data frames as the CFG-2', () => {
    const cfg2 = buildConfig({
      idcode: 60_000,
      dataRate: 30,
      pmus: [
        { stationName: 'PMU1', idcode: 1, phasors: ['V1', 'I1-2'] },
        { stationName: 'PMU2', idcode: 2, phasors: ['V2'] },
      ],
    });
    const cfg3 = config3Of(cfg2);
    expect(decodeFrameOrThrow(encodeFrame(cfg3))).toEqual(cfg3);
    expect(cfg3.pmus[0].phasors.map((p) => p.typeIndication)).toEqual([1, 9]);
    const views: number[][] = [];
    const decoder = new StreamDecoder(
      { maxFrameBytes: 4096 },
      { onData: (v: DataFrameView) => views.push([...v.phasors]), onReject: (r) => expect.fail(r.message) },
    );
    decoder.push(encodeFrame(cfg3));
    decoder.push(
      new DataFrameWriter(cfg2).write(1_700_000_000, 0, 0, {
        stat: [0, 0],
        phasors: [1, 0.5, 0.25, -0.125, 0.75, 0],
        freqHz: [60, 60],
        rocof: [0, 0],
        analogs: [],
        digitals: [],
      }),
    );
    expect(views).toEqual([[1, 0.5, 0.25, -0.125, 0.75, 0]]);
  });
});
