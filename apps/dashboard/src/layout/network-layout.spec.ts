import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network, parseMatpowerCase } from '@gridcloud/grid';
import { layoutNetwork } from './network-layout';

const case14 = new Network(parseMatpowerCase(fs.readFileSync('data/cases/case14.m', 'utf8'), 'case14.m'));
const graph = { busCount: case14.busCount, from: case14.branchFrom, to: case14.branchTo };

function distance(xy: Float64Array, i: number, j: number): number {
  return Math.hypot(xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]);
}

describe('layoutNetwork', () => {
  it('gives the same positions for the same case every time', () => {
    expect([...layoutNetwork(graph)]).toEqual([...layoutNetwork(graph)]);
  });

  it('keeps every bus inside the unit square and no two buses on top of each other', () => {
    const xy = layoutNetwork(graph);
    for (const v of xy) {
      expect(v).toBeGreaterThanOrEqual(-1e-12);
      expect(v).toBeLessThanOrEqual(1 + 1e-12);
    }
    for (let i = 0; i < graph.busCount; i += 1)
      for (let j = i + 1; j < graph.busCount; j += 1) expect(distance(xy, i, j)).toBeGreaterThan(0.02);
  });

  it('draws buses joined by a branch closer together than the average pair', () => {
    const xy = layoutNetwork(graph);
    let branchSum = 0;
    for (let b = 0; b < graph.from.length; b += 1) branchSum += distance(xy, graph.from[b], graph.to[b]);
    let pairSum = 0;
    let pairs = 0;
    for (let i = 0; i < graph.busCount; i += 1)
      for (let j = i + 1; j < graph.busCount; j += 1)
        [pairSum, pairs] = [pairSum + distance(xy, i, j), pairs + 1];
    expect(branchSum / graph.from.length).toBeLessThan(0.6 * (pairSum / pairs));
  });

  it('refuses branch lists of different lengths', () => {
    expect(() => layoutNetwork({ busCount: 3, from: Int32Array.of(0), to: Int32Array.of() })).toThrow(
      RangeError,
    );
  });
});
