import { describe, expect, it } from 'vitest';
import { parseMatpowerCase } from '../case/matpower-parser';
import { loadCaseNetwork } from '../testing/case-files';
import { cscFind, Network } from './network';

const CASE = `mpc.baseMVA = 100;
mpc.bus = [
  5 3 0 0 0 0 1 1 0 1 1 1 1;
  9 1 0 0 2 -4 1 1 0 1 1 1 1;
  3 1 0 0 0 0 1 1 0 1 1 1 1;
];
mpc.gen = [ 5 0 0 0 0 1 100 1 0 0; ];
mpc.branch = [
  5 9 0.01 0.1 0.04 0 0 0 0.95 30 1 0 0;
  9 3 0.02 0.2 0 0 0 0 0 0 0 0 0;
  5 3 0.03 0.3 0 0 0 0 0 0 1 0 0;
];`;

/** MATPOWER's pi-model, written out with complex helpers independently of Network. */
function piModel(r: number, x: number, b: number, ratio: number, shiftDeg: number) {
  type C = [number, number];
  const mul = (a: C, c: C): C => [a[0] * c[0] - a[1] * c[1], a[0] * c[1] + a[1] * c[0]];
  const div = (a: C, c: C): C => {
    const d = c[0] * c[0] + c[1] * c[1];
    return [(a[0] * c[0] + a[1] * c[1]) / d, (a[1] * c[0] - a[0] * c[1]) / d];
  };
  const ys = div([1, 0], [r, x]);
  const s = (shiftDeg * Math.PI) / 180;
  const t: C = [ratio * Math.cos(s), ratio * Math.sin(s)];
  const tc: C = [t[0], -t[1]];
  const ytt: C = [ys[0], ys[1] + b / 2];
  return { ytt, yff: div(ytt, mul(t, tc)), yft: div([-ys[0], -ys[1]], tc), ytf: div([-ys[0], -ys[1]], t) };
}

describe('Network', () => {
  const net = new Network(parseMatpowerCase(CASE, 'n.m'));

  it('maps non-consecutive bus numbers to dense indices', () => {
    expect([net.indexOf(5), net.indexOf(9), net.indexOf(3), net.indexOf(4)]).toEqual([0, 1, 2, -1]);
  });

  it('builds branch admittances with off-nominal tap and phase shift in MATPOWER convention', () => {
    const want = piModel(0.01, 0.1, 0.04, 0.95, 30);
    for (const key of ['yff', 'yft', 'ytf', 'ytt'] as const) {
      expect(net[key].re[0], key).toBeCloseTo(want[key][0], 12);
      expect(net[key].im[0], key).toBeCloseTo(want[key][1], 12);
    }
  });

  it('leaves out-of-service branches out of Ybus and the neighbour lists', () => {
    expect(net.yff.re[1]).toBe(0);
    expect(cscFind(net.ybus, 1, 2)).toBe(-1);
    expect([...net.neighbors.subarray(net.neighborPtr[1], net.neighborPtr[2])]).toEqual([0]);
  });

  it('puts bus shunts (MW/MVAr at 1 pu) on the Ybus diagonal', () => {
    const p = cscFind(net.ybus, 1, 1);
    expect(net.ybus.re[p]).toBeCloseTo(0.02 + net.ytt.re[0], 12);
    expect(net.ybus.im[p]).toBeCloseTo(-0.04 + net.ytt.im[0], 12);
  });

  it('treats a PV bus without an in-service generator as PQ', () => {
    const c14 = loadCaseNetwork('case14');
    expect(c14.busType[c14.indexOf(2)]).toBe(2);
    const text = CASE.replace('3 1 0 0 0 0 1 1 0 1 1 1 1;', '3 2 0 0 0 0 1 1 0 1 1 1 1;');
    const n2 = new Network(parseMatpowerCase(text, 'n.m'));
    expect(n2.busType[2]).toBe(1);
  });
});
