import { type ProcessId, type ViewValue, type WireMessage, processKey } from '../protocol';

/** A proposal seen on the wire, with the service members that accepted it so far (its proposer included). */
interface Proposal {
  readonly proposer: string;
  readonly members: string;
  readonly accepts: Set<string>;
}

/** Watches every message a process emits (lost or not) for the checks that need the protocol's own traffic: the
 *  quorum behind each decided view, and the flow-control window as seen from the acknowledgements on the wire. */
export class WireLog {
  /** Findings, one line each; the invariants report them under their names. */
  readonly quorumViolations: string[] = [];
  readonly flowViolations: string[] = [];
  /** Largest number of one sender's messages seen in flight in one group epoch (sent, not yet acknowledged by all). */
  maxInFlightMessages = 0;
  private readonly proposals = new Map<string, Proposal>();
  private readonly sentSeq = new Map<string, number>();
  /** acked["group|epoch|sender"] = per acknowledging member, the most of sender's messages it reported received. */
  private readonly acked = new Map<string, Map<string, number>>();

  constructor(private readonly sendWindowMessages: number) {}

  /** Called for every message `from` sends while its core is at `view`. */
  sent(from: ProcessId, view: ViewValue | null, message: WireMessage): void {
    const body = message.body;
    if (body.kind === 'propose') {
      const key = `${body.viewId}|${ballotKey(body.ballot)}`;
      if (!this.proposals.has(key)) {
        const members = body.value.members.map(processKey).join(',');
        const proposer = processKey(from);
        this.proposals.set(key, { proposer, members, accepts: new Set([proposer]) });
      }
    } else if (body.kind === 'proposeOk') {
      this.proposals.get(`${body.viewId}|${ballotKey(body.ballot)}`)?.accepts.add(processKey(from));
    } else if (body.kind === 'groupAck' && view?.id === body.epoch) {
      const members = view.groups.find((g) => g.name === body.group)?.members ?? [];
      members.forEach((m, rank) =>
        this.ack(`${body.group}|${body.epoch}|${processKey(m)}`, from, body.received[rank]),
      );
    } else if (body.kind === 'data' && view) {
      for (const r of body.records) this.dataSent(r.group, r.epoch, r.seq, r.sender, view);
    }
  }

  /** Called when `process` installs `value` after `previous`: some ballot that proposed it must already have been
   *  accepted by a majority of the previous view's membership service (the proposer counts as accepting its own). */
  installed(process: ProcessId, value: ViewValue, previous: ViewValue | null): void {
    if (!previous || previous.id + 1 !== value.id) return;
    const members = value.members.map(processKey).join(',');
    const service = new Set(previous.members.slice(0, previous.serviceSize).map(processKey));
    const quorum = Math.floor(service.size / 2) + 1;
    let best = -1;
    for (const [id, p] of this.proposals) {
      if (p.members !== members || !id.startsWith(`${previous.id}|`)) continue;
      best = Math.max(best, [...p.accepts].filter((a) => service.has(a)).length);
    }
    // No proposal at all: a founding, not a decision (joiners and founders install with no previous view anyway).
    if (best < 0 || best >= quorum) return;
    this.quorumViolations.push(
      `${processKey(process)} installed view ${value.id} accepted by ${best} of the ${service.size} membership service members of view ${previous.id} (needs ${quorum})`,
    );
  }

  private ack(stream: string, from: ProcessId, count: number | undefined): void {
    if (count === undefined) return;
    const byMember = this.acked.get(stream) ?? new Map<string, number>();
    byMember.set(processKey(from), Math.max(byMember.get(processKey(from)) ?? 0, count));
    this.acked.set(stream, byMember);
  }

  private dataSent(group: string, epoch: number, seq: number, sender: ProcessId, view: ViewValue): void {
    const stream = `${group}|${epoch}|${processKey(sender)}`;
    if (seq <= (this.sentSeq.get(stream) ?? 0) || view.id !== epoch) return;
    this.sentSeq.set(stream, seq);
    const others = (view.groups.find((g) => g.name === group)?.members ?? []).filter(
      (m) => processKey(m) !== processKey(sender),
    );
    const byMember = this.acked.get(stream);
    const stable = others.reduce((min, m) => Math.min(min, byMember?.get(processKey(m)) ?? 0), seq);
    const inFlight = seq - stable;
    this.maxInFlightMessages = Math.max(this.maxInFlightMessages, inFlight);
    if (inFlight > this.sendWindowMessages)
      this.flowViolations.push(
        `${processKey(sender)} sent #${seq} of ${group}@${epoch} with ${inFlight} messages in flight (window ${this.sendWindowMessages})`,
      );
  }
}

function ballotKey(b: { readonly round: number; readonly leader: ProcessId }): string {
  return `${b.round}/${processKey(b.leader)}`;
}
