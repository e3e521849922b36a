/**
 * Snapshot and result encodings: encode + decode time and size of libs/estimation's
 * binary layout against JSON (ingest's JSON snapshot form: phasors as number
 * arrays; a result with its voltages as arrays) for case_ACTIVSg2000-sized
 * snapshots, PMUs placed as pmu-sim places them (greedy) and at every bus.
 * The two encodings alternate in rounds so load from other processes hits
 * both alike; each reports its median round. The last line is the JSON
 * summary. `--rounds N` (default 15), `--ops N` per round (default 40).
 */
import { readFileSync } from 'node:fs';
import {
  decodeAreaResult,
  decodeSnapshot,
  encodeAreaResult,
  encodeSnapshot,
  type AreaResult,
  type SnapshotInput,
} from '@gridcloud/estimation';
import { Network, parseMatpowerCase, placePmus, type PlacementStrategy } from '@gridcloud/grid';
import { casePath } from '../../test/support/data-files';

const CASE = casePath('case_ACTIVSg2000');

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${name} must be a positive integer, got ${process.argv[at + 1]}`);
  return v;
}

/** A snapshot with one PMU per placed bus, its voltage and every branch end there, random values. */
function snapshotFor(net: Network, placement: PlacementStrategy): SnapshotInput {
  const degree = new Int32Array(net.busCount);
  for (let k = 0; k < net.branchCount; k += 1) {
    if (net.branchInService[k] === 0) continue;
    degree[net.branchFrom[k]] += 1;
    degree[net.branchTo[k]] += 1;
  }
  const values = [...placePmus(net, placement)].map((bus, i) => ({
    idcode: 1000 + i,
    stat: 0,
    freqHz: 60 + Math.random() * 1e-3,
    phasors: Float64Array.from({ length: 2 * (1 + degree[bus]) }, () => Math.random() * 2 - 1),
  }));
  return { slot: 53_880_000_000, timeSec: 1_796_000_000.0333, complete: true, values, missing: [] };
}

function snapshotToJson(s: SnapshotInput): string {
  return JSON.stringify({
    slot: s.slot,
    timeSec: s.timeSec,
    complete: s.complete,
    missing: s.missing,
    pmus: s.values.map((v) => ({
      idcode: v.idcode,
      stat: v.stat,
      freqHz: v.freqHz,
      phasors: Array.from(v.phasors),
    })),
  });
}

function snapshotFromJson(text: string): number {
  const o = JSON.parse(text) as { pmus: { phasors: number[] }[] };
  let n = 0;
  // The consumer needs typed arrays to estimate from, so the JSON side converts as the binary side reads in place.
  for (const p of o.pmus) n += Float64Array.from(p.phasors).length;
  return n;
}

function resultFor(net: Network): AreaResult {
  const n = net.busCount;
  return {
    slot: 1,
    timeSec: 1,
    area: 0,
    areaCount: 1,
    busCount: n,
    catalogVersion: 1,
    buses: Int32Array.from({ length: n }, (_, b) => b),
    own: new Uint8Array(n).fill(1),
    vRe: Float64Array.from({ length: n }, () => Math.random()),
    vIm: Float64Array.from({ length: n }, () => Math.random()),
    unobservable: new Int32Array(0),
    removedIdcode: new Uint16Array(0),
    removedChannel: new Uint16Array(0),
    openBranches: new Int32Array(0),
    cost: 1,
    degreesOfFreedom: 10,
    badDataRemains: false,
    measurementsUsed: 100,
    computeMs: 1,
  };
}

function resultToJson(r: AreaResult): string {
  return JSON.stringify({
    ...r,
    buses: Array.from(r.buses),
    own: Array.from(r.own),
    vRe: Array.from(r.vRe),
    vIm: Array.from(r.vIm),
    unobservable: [],
    removedIdcode: [],
    removedChannel: [],
    openBranches: [],
  });
}

function resultFromJson(text: string): number {
  const o = JSON.parse(text) as { vRe: number[]; vIm: number[] };
  return Float64Array.from(o.vRe).length + Float64Array.from(o.vIm).length;
}

/** Median over rounds of the mean microseconds per encode+decode. */
function measure(rounds: number, ops: number, sides: Record<string, () => void>): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, run] of Object.entries(sides)) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < ops; i += 1) run();
      samples[name].push(Number(process.hrtime.bigint() - t0) / 1000 / ops);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]),
  );
}

function main(): void {
  const rounds = argValue('--rounds', 15);
  const ops = argValue('--ops', 40);
  const net = new Network(parseMatpowerCase(readFileSync(CASE, 'utf8'), 'case_ACTIVSg2000.m'));
  const rows: Record<string, unknown>[] = [];
  for (const placement of ['greedy', 'all'] as const) {
    const s = snapshotFor(net, placement);
    const channels = s.values.reduce((n, v) => n + v.phasors.length / 2, 0);
    const us = measure(rounds, ops, {
      binary: () => decodeSnapshot(encodeSnapshot(s, 1)),
      json: () => snapshotFromJson(snapshotToJson(s)),
    });
    const row = {
      what: `snapshot, ${placement} placement`,
      pmus: s.values.length,
      channels,
      binaryBytes: encodeSnapshot(s, 1).length,
      jsonBytes: Buffer.byteLength(snapshotToJson(s)),
      binaryUs: us.binary,
      jsonUs: us.json,
      speedup: us.json / us.binary,
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
  const r = resultFor(net);
  const us = measure(rounds, ops, {
    binary: () => decodeAreaResult(encodeAreaResult(r)),
    json: () => resultFromJson(resultToJson(r)),
  });
  rows.push({
    what: 'area result, every bus',
    buses: net.busCount,
    binaryBytes: encodeAreaResult(r).length,
    jsonBytes: Buffer.byteLength(resultToJson(r)),
    binaryUs: us.binary,
    jsonUs: us.json,
    speedup: us.json / us.binary,
  });
  process.stdout.write(
    `${JSON.stringify({ bench: 'estimation-encodings', case: 'case_ACTIVSg2000', rounds, opsPerRound: ops, rows })}\n`,
  );
}

main();
