/** Planted protocol bugs for the mutation check (`npm run sim:mutants`): each name switches one rule of the core off,
 *  so the simulator can prove its invariants notice that rule breaking.
 *
 *  Kept out of the production path on purpose: nothing is planted unless `plantBug` is called, no option, flag or
 *  environment variable reaches this module, and neither the protocol barrel (`../index.ts`) nor the library barrel
 *  exports it; only `sim/mutants/` imports it (a spec there fails if anything else does). Checks cost one property
 *  read of a frozen-shape record. */
export const PLANTED_BUG_NAMES = [
  'flushLeaderReportOnly',
  'totalOrderOnReceipt',
  'deliverAcrossGap',
  'sequencerReusesNumbers',
  'minorityDecides',
  'evenServiceHalfDecides',
  'commitOnOwnAccept',
  'newLeaderIgnoresAccepted',
  'sendWindowIgnored',
  'excludedNotFenced',
  'deliverDuringFlush',
  'viewBeforeFlushDelivery',
  'queryCompletesEarly',
  'orderedQueryUnordered',
  'queryKeepsDeparted',
  'dhtHandoverLost',
  'securedJoinUnchecked',
  'keyedJoinTakesLeaderRefusal',
  'safeDeliverBeforeQuorum',
] as const;

export type PlantedBugName = (typeof PLANTED_BUG_NAMES)[number];

type Switches = Record<PlantedBugName, boolean>;

const planted: Switches = Object.seal(
  Object.fromEntries(PLANTED_BUG_NAMES.map((name) => [name, false])) as Switches,
);

/** Whether any bug is planted: the per-message checks read only this while none is (always, outside the mutation
 *  check), rather than a property looked up by a name that differs from call to call. */
let anyPlanted = false;

/** Whether the named bug is planted; always false outside the mutation check. */
export function isPlanted(name: PlantedBugName): boolean {
  return anyPlanted && planted[name];
}

/** Plants one bug (null removes every planted bug). */
export function plantBug(name: PlantedBugName | null): void {
  for (const key of PLANTED_BUG_NAMES) planted[key] = key === name;
  anyPlanted = name !== null;
}
