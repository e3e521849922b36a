import { PLANTED_BUG_NAMES, type PlantedBugName, plantBug } from '../../protocol/testing/planted-bugs';
import type { FaultKnobs } from '../random-run';
import { runGuarded } from '../seed-batch';

/** What one planted bug breaks, and the fault mix that reaches it (the simulator's defaults unless said). */
export interface MutantPlan {
  readonly bug: PlantedBugName;
  readonly breaks: string;
  readonly knobs: FaultKnobs;
}

export const MUTANT_PLANS: readonly MutantPlan[] = [
  { bug: 'flushLeaderReportOnly', breaks: 'the flush set is the union of every survivor report', knobs: {} },
  { bug: 'totalOrderOnReceipt', breaks: 'total order waits for the group sequence numbers', knobs: {} },
  {
    bug: 'deliverAcrossGap',
    breaks: 'a total-order record is delivered only once every lower group sequence number was',
    knobs: {},
  },
  {
    bug: 'sequencerReusesNumbers',
    breaks: 'the sequencer hands out each group sequence number once',
    knobs: {},
  },
  { bug: 'minorityDecides', breaks: 'a view needs a majority of the membership service', knobs: {} },
  {
    bug: 'evenServiceHalfDecides',
    breaks: 'half of an even membership service is not a majority',
    knobs: { serviceSize: 4, nodes: 5, safetyOnlyShare: 1 },
  },
  { bug: 'commitOnOwnAccept', breaks: 'the leader commits on a quorum of accepts, not its own', knobs: {} },
  {
    bug: 'newLeaderIgnoresAccepted',
    breaks: 'a new leader re-proposes the highest-ballot accepted value',
    // Multicasts only, no secured-group intruder: queries and the intruder's refused attempts thin out the traffic
    // whose loss at a leader takeover this bug shows. Five processes: since total order needs no acknowledgements
    // the traffic is thinner, and five members keep enough of it in flight at a takeover (caught by seed 13, where
    // the mixed sizes took 76). Up to eight faults: once ordered multicasts were admitted while they wait for their
    // numbers (SendAdmission), six took 120 seeds and eight take 20.
    knobs: { crashBudget: 8, queryShare: 0, secureShare: 0, nodes: 5 },
  },
  { bug: 'sendWindowIgnored', breaks: 'a sender keeps at most sendWindowMessages in flight', knobs: {} },
  {
    bug: 'excludedNotFenced',
    breaks: 'an excluded incarnation is refused and told notMember',
    // No queries: with admitted ordered multicasts the mix with queries took 104 seeds, this one 20.
    knobs: { crashBudget: 6, queryShare: 0 },
  },
  {
    bug: 'deliverDuringFlush',
    breaks: 'a frozen member delivers only the decided flush set',
    // No queries, five processes and up to six faults: a record must reach a frozen member and no other before its
    // sender fails, which takes many view changes under load. With admitted ordered multicasts (they no longer wait
    // outside the window for their numbers) the default mix took 472 seeds; this one takes 4.
    knobs: { queryShare: 0, crashBudget: 6, nodes: 5 },
  },
  {
    bug: 'viewBeforeFlushDelivery',
    breaks: 'the flush set is delivered before the new view is reported',
    knobs: {},
  },
  {
    bug: 'queryCompletesEarly',
    breaks: 'a query waits for want answers or for every expected member',
    knobs: { queryShare: 0.5 },
  },
  {
    bug: 'orderedQueryUnordered',
    breaks: "an orderedQuery's request is delivered in total order",
    knobs: { queryShare: 0.5 },
  },
  {
    bug: 'queryKeepsDeparted',
    breaks: 'a member that left the group leaves the expected set of every query at the view change',
    knobs: { queryShare: 0.5, crashBudget: 6 },
  },
  {
    bug: 'dhtHandoverLost',
    breaks: 'a DHT member hands the keys it held to their new owners at a view change',
    knobs: {},
  },
  {
    bug: 'securedJoinUnchecked',
    breaks: 'a secured group is joined only through a member that checked the joiner proof',
    knobs: { secureShare: 1 },
  },
  {
    bug: 'keyedJoinTakesLeaderRefusal',
    breaks: "a key holder gives up its join only on a member's refusal of its proof",
    knobs: { secureShare: 1 },
  },
  {
    bug: 'safeDeliverBeforeQuorum',
    breaks: 'a safeSend is delivered once a majority of its epoch members still in the group logged it',
    knobs: {},
  },
];

export interface MutantOutcome {
  readonly bug: PlantedBugName;
  readonly caught: boolean;
  /** The seed that caught it and the first violation it printed, or how many seeds ran in vain. */
  readonly seed: number | null;
  readonly violation: string | null;
  readonly seedsRun: number;
}

/** Plants each bug in turn and runs seeds (from `firstSeed`, at most `seedsPerMutant`) until a run violates an
 *  invariant; the bug is removed again whatever happens. */
export function checkMutant(plan: MutantPlan, firstSeed: number, seedsPerMutant: number): MutantOutcome {
  plantBug(plan.bug);
  try {
    for (let i = 0; i < seedsPerMutant; i++) {
      const seed = firstSeed + i;
      const result = runGuarded(seed, plan.knobs);
      if (result.violations.length > 0)
        return {
          bug: plan.bug,
          caught: true,
          seed,
          violation: result.violations[0].slice(0, 300),
          seedsRun: i + 1,
        };
    }
    return { bug: plan.bug, caught: false, seed: null, violation: null, seedsRun: seedsPerMutant };
  } finally {
    plantBug(null);
  }
}

/** Every planted bug has a plan: a bug added to the switches without one fails here rather than go unchecked. */
export function plansForAllBugs(): readonly MutantPlan[] {
  const missing = PLANTED_BUG_NAMES.filter((bug) => !MUTANT_PLANS.some((p) => p.bug === bug));
  if (missing.length > 0) throw new Error(`planted bugs without a mutant plan: ${missing.join(', ')}`);
  return MUTANT_PLANS;
}
