import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BranchEnd,
  branchCurrent,
  Network,
  NormalSource,
  parseMatpowerCase,
  placePmus,
  rectangular,
  SeededRandom,
  solveIslandedPowerFlow,
  breakerTopology,
  type PlacementStrategy,
} from '@gridcloud/grid';
import type { CatalogPmu, PmuCatalog } from '../catalog/pmu-catalog';
import type { SnapshotInput } from '../wire/snapshot-codec';

/** The MATPOWER cases vendored in the repository (data/cases, see its README for provenance). */
const CASES = fileURLToPath(new URL('../../../../data/cases/', import.meta.url));

export function loadCase(name: string): Network {
  return new Network(parseMatpowerCase(readFileSync(`${CASES}${name}.m`, 'utf8'), `${name}.m`));
}

interface Channel {
  readonly name: string;
  readonly isCurrent: boolean;
  readonly bus: number;
  readonly branch: number;
  readonly end: number;
}

/** pmu-sim's channels at a bus (its naming, reproduced so these specs need no app code). */
function channelsAt(net: Network, bus: number): Channel[] {
  const id = net.busIds[bus];
  const out: Channel[] = [{ name: `V${id}`, isCurrent: false, bus, branch: -1, end: 0 }];
  for (let k = 0; k < net.branchCount; k += 1) {
    if (net.branchInService[k] === 0) continue;
    if (net.branchFrom[k] === bus)
      out.push({
        name: `I${id}-${net.busIds[net.branchTo[k]]}#${k}`,
        isCurrent: true,
        bus,
        branch: k,
        end: BranchEnd.FROM,
      });
    else if (net.branchTo[k] === bus)
      out.push({
        name: `I${id}-${net.busIds[net.branchFrom[k]]}#${k}`,
        isCurrent: true,
        bus,
        branch: k,
        end: BranchEnd.TO,
      });
  }
  return out;
}

/** A simulated grid with PMUs named as pmu-sim names them, producing snapshots and the matching truth. */
export class GridFixture {
  readonly pmus: { idcode: number; bus: number; channels: Channel[] }[];
  readonly noise: NormalSource;

  constructor(
    readonly net: Network,
    placement: PlacementStrategy = 'redundant',
    readonly sigmaPu = 0.002,
    seed = 1,
  ) {
    this.pmus = [...placePmus(net, placement)].map((bus, i) => ({
      idcode: 100 + i,
      bus,
      channels: channelsAt(net, bus),
    }));
    this.noise = new NormalSource(new SeededRandom(seed));
  }

  catalog(version = 1): PmuCatalog {
    const pmus: CatalogPmu[] = this.pmus.map((p) => ({
      idcode: p.idcode,
      station: `PMU${p.idcode}`,
      cfgcnt: 1,
      channels: p.channels.map((c) => ({ name: c.name, isCurrent: c.isCurrent, phunitScale: 1 })),
    }));
    return { version, pmus };
  }

  /** The power-flow truth with the given branch rows tripped (solved per island). */
  truth(tripped: readonly number[] = []): { net: Network; vRe: Float64Array; vIm: Float64Array } {
    const c = this.net.powerCase;
    const net =
      tripped.length === 0
        ? this.net
        : new Network({
            ...c,
            branches: c.branches.map((b, k) => (tripped.includes(k) ? { ...b, inService: false } : b)),
          });
    // Per island, as pmu-sim solves it: a trip that splits the grid leaves the parts without a source at V = 0.
    const v = rectangular(solveIslandedPowerFlow(net, breakerTopology(net, [])));
    return { net, vRe: v.re, vIm: v.im };
  }

  /** A snapshot of every PMU but `absent`, measuring `truth` with noise; a tripped branch's currents read noise only. */
  snapshot(
    slot: number,
    truth: { net: Network; vRe: Float64Array; vIm: Float64Array },
    absent: readonly number[] = [],
  ): SnapshotInput {
    const values = this.pmus
      .filter((p) => !absent.includes(p.idcode))
      .map((p) => {
        const phasors = new Float64Array(2 * p.channels.length);
        p.channels.forEach((ch, k) => {
          const [re, im] = this.value(truth, ch);
          phasors[2 * k] = re + this.sigmaPu * this.noise.next();
          phasors[2 * k + 1] = im + this.sigmaPu * this.noise.next();
        });
        return { idcode: p.idcode, stat: 0, freqHz: 60, phasors };
      });
    return { slot, timeSec: slot / 30, complete: absent.length === 0, values, missing: [...absent] };
  }

  private value(t: { net: Network; vRe: Float64Array; vIm: Float64Array }, ch: Channel): [number, number] {
    if (!ch.isCurrent) return [t.vRe[ch.bus], t.vIm[ch.bus]];
    if (t.net.branchInService[ch.branch] === 0) return [0, 0];
    return branchCurrent(t.net, ch.branch, ch.end, t.vRe, t.vIm);
  }
}
