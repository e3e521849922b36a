import {
  BranchEnd,
  MeasurementKind,
  MeasurementSet,
  type MeasurementSpec,
  type Network,
} from '@gridcloud/grid';
import { channelKey, type ChannelMap } from './channel-map';
import type { PmuCatalog } from './pmu-catalog';

/** A channel the estimator could not place in the network, and why; counted and reported, never guessed. */
export interface UnmappedChannel {
  readonly idcode: number;
  readonly channel: string;
  readonly reason: string;
}

/** Where each PMU's channels go in the measurement set, and how they convert to per unit. */
export interface PmuBinding {
  /** Measurement row of each channel, -1 for an unmapped one. */
  readonly rows: Int32Array;
  readonly scaleToPu: Float64Array;
}

/**
 * The measurement set a catalog defines on a network: one row per mapped
 * channel, PMUs in IDCODE order. Rebuilt when the catalog's channels change.
 */
export interface MeasurementLayout {
  readonly catalogVersion: number;
  readonly set: MeasurementSet;
  readonly pmus: ReadonlyMap<number, PmuBinding>;
  /** IDCODE and channel index of each row, to name removed measurements. */
  readonly rowIdcode: Uint16Array;
  readonly rowChannel: Uint16Array;
  readonly unmapped: readonly UnmappedChannel[];
}

interface Placement {
  readonly spec: Omit<MeasurementSpec, 're' | 'im' | 'sigma'>;
  readonly scaleToPu: number;
}

const VOLTAGE_NAME = /^V(\d+)$/;
const CURRENT_NAME = /^I(\d+)-(\d+)#(\d+)$/;

/**
 * Maps every catalog channel to a measurement: a channel-map entry when there
 * is one, else pmu-sim's names (`V<busId>`, `I<busId>-<otherBusId>#<branch row>`,
 * per unit). A name that matches neither, or points at a bus or branch the case
 * does not have, is unmapped and listed with the reason.
 */
export function bindCatalog(
  net: Network,
  catalog: PmuCatalog,
  sigmaPu: number,
  channelMap: ChannelMap = new Map(),
): MeasurementLayout {
  const specs: MeasurementSpec[] = [];
  const rowIdcode: number[] = [];
  const rowChannel: number[] = [];
  const unmapped: UnmappedChannel[] = [];
  const pmus = new Map<number, PmuBinding>();
  for (const pmu of [...catalog.pmus].sort((a, b) => a.idcode - b.idcode)) {
    const rows = new Int32Array(pmu.channels.length).fill(-1);
    const scaleToPu = new Float64Array(pmu.channels.length);
    pmu.channels.forEach((ch, k) => {
      const placed = place(net, channelMap.get(channelKey(pmu.idcode, ch.name)), ch.name, ch.isCurrent);
      if (typeof placed === 'string') {
        unmapped.push({ idcode: pmu.idcode, channel: ch.name, reason: placed });
        return;
      }
      rows[k] = specs.length;
      scaleToPu[k] = placed.scaleToPu;
      specs.push({ ...placed.spec, re: 0, im: 0, sigma: sigmaPu });
      rowIdcode.push(pmu.idcode);
      rowChannel.push(k);
    });
    pmus.set(pmu.idcode, { rows, scaleToPu });
  }
  return {
    catalogVersion: catalog.version,
    set: new MeasurementSet(specs),
    pmus,
    rowIdcode: Uint16Array.from(rowIdcode),
    rowChannel: Uint16Array.from(rowChannel),
    unmapped,
  };
}

/** The measurement a channel is, or the reason it cannot be placed. */
function place(
  net: Network,
  entry: { kind: 'voltage' | 'current'; busId: number; branch: number; scaleToPu: number } | undefined,
  name: string,
  isCurrent: boolean | null,
): Placement | string {
  if (entry !== undefined) return placeEntry(net, entry);
  const v = VOLTAGE_NAME.exec(name);
  if (v !== null) {
    if (isCurrent === true) return `named like a voltage but configured as a current`;
    return placeEntry(net, { kind: 'voltage', busId: Number(v[1]), branch: -1, scaleToPu: 1 });
  }
  const i = CURRENT_NAME.exec(name);
  if (i === null)
    return 'no channel-map entry and not a pmu-sim channel name (V<bus>, I<bus>-<bus>#<branch>)';
  if (isCurrent === false) return 'named like a current but configured as a voltage';
  const placed = placeEntry(net, {
    kind: 'current',
    busId: Number(i[1]),
    branch: Number(i[3]),
    scaleToPu: 1,
  });
  if (typeof placed === 'string') return placed;
  const k = placed.spec.branch;
  const far = placed.spec.end === BranchEnd.FROM ? net.branchTo[k] : net.branchFrom[k];
  if (net.busIds[far] !== Number(i[2])) return `branch row ${k} does not join buses ${i[1]} and ${i[2]}`;
  return placed;
}

function placeEntry(
  net: Network,
  e: { kind: 'voltage' | 'current'; busId: number; branch: number; scaleToPu: number },
): Placement | string {
  const bus = net.indexOf(e.busId);
  if (bus < 0) return `bus ${e.busId} is not in the case`;
  if (e.kind === 'voltage')
    return { spec: { kind: MeasurementKind.VOLTAGE, bus, branch: -1, end: 0 }, scaleToPu: e.scaleToPu };
  const k = e.branch;
  if (!(k >= 0 && k < net.branchCount)) return `branch row ${k} is not in the case`;
  if (net.branchInService[k] === 0) return `branch row ${k} is out of service in the case`;
  const end = net.branchFrom[k] === bus ? BranchEnd.FROM : net.branchTo[k] === bus ? BranchEnd.TO : -1;
  if (end < 0) return `branch row ${k} does not touch bus ${e.busId}`;
  return { spec: { kind: MeasurementKind.CURRENT, bus: -1, branch: k, end }, scaleToPu: e.scaleToPu };
}
