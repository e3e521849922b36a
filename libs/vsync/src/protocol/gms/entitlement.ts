import { type ProcessId, sameProcess } from '../process-id';
import type { WireBody } from '../wire-message';

/** What the entitlement rules need to know of the receiving process. */
export interface Entitlement {
  /** Whether `p` is a member of the installed view (members only). */
  isMember(p: ProcessId): boolean;
  /** The seed addresses this process joins through (joiners only). */
  readonly seeds: readonly string[];
}

/**
 * Who may send each kind of message, judged before the protocol acts on it. The runtime has already checked that the
 * sender named in the envelope is the peer of the connection it came on (and, with a key, that the peer holds the
 * key), so these rules only ask whether that sender is entitled to what it says:
 *
 * - view decisions and the steps leading to them (flush, propose, commit, their answers, nacks, suspicions, leave and
 *   group-change requests, exclusions) come only from members of the current view; a flush or proposal only from the
 *   leader its ballot names, so no member can run an attempt under another's ballot;
 * - a joiner installs a first view only from a process inside it, and hears that its identity is spent only from a
 *   seed it asked to join;
 * - heartbeats, join requests, probes and multicast data are open to anyone (data is checked against its sender and
 *   view by the multicast layer, which never delivers a non-member's records).
 */
export function memberMayAccept(from: ProcessId, body: WireBody, receiver: Entitlement): boolean {
  switch (body.kind) {
    case 'flush':
    case 'propose':
      return receiver.isMember(from) && sameProcess(body.ballot.leader, from);
    case 'notMember':
    case 'commit':
    case 'suspect':
    case 'flushOk':
    case 'proposeOk':
    case 'nack':
    case 'leaveSystem':
    case 'groupChange':
    case 'recordsPart':
      return receiver.isMember(from);
    default:
      return true;
  }
}

export function joinerMayAccept(from: ProcessId, body: WireBody, receiver: Entitlement): boolean {
  if (body.kind === 'commit') return body.value.members.some((m) => sameProcess(m, from));
  if (body.kind === 'notMember') return receiver.seeds.includes(from.address);
  return true;
}
