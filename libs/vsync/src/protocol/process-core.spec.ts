import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './codec/message-codec';
import type { CoreConfig } from './core-config';
import type { CoreOutput } from './core-io';
import { ConfigError } from './errors/config-error';
import { MinorityPartitionError } from './errors/minority-partition-error';
import { NotAMemberError } from './errors/not-a-member-error';
import { RequestError } from './errors/request-error';
import { SendQueueFullError } from './errors/send-queue-full-error';
import type { GroupGuard } from './gms/group-admission';
import { ProcessCore } from './process-core';
import { processKey } from './process-id';

const BOUNDS = {
  tickIntervalMs: 10,
  heartbeatIntervalMs: 50,
  failureTimeoutMs: 300,
  retransmitIntervalMs: 40,
  viewChangeTimeoutMs: 200,
  joinRetryMs: 100,
};

/** A hand-wired cluster: every output is kept, every message crosses the codec, `blocked` drops links by address. */
class Wire {
  readonly cores = new Map<string, ProcessCore>();
  readonly outputs = new Map<string, CoreOutput[]>();
  readonly blocked = new Set<string>();
  now = 0;
  private queue: { from: string; to: string; bytes: Uint8Array }[] = [];

  add(address: string, extra: Partial<CoreConfig> = {}, guard?: GroupGuard): ProcessCore {
    const config = { ...BOUNDS, ...extra, self: { address, incarnation: 1 }, seeds: ['a:1'] };
    const core = new ProcessCore(config, guard);
    this.cores.set(address, core);
    this.outputs.set(address, []);
    this.apply(address, core.step({ type: 'start', nowMs: this.now }));
    return core;
  }

  input(address: string, input: Parameters<ProcessCore['step']>[0]): CoreOutput[] {
    const out = this.cores.get(address)!.step(input);
    this.apply(address, out);
    return out;
  }

  run(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now += 5;
      this.deliverQueued();
      if (this.now % 10 === 0)
        for (const address of this.cores.keys()) this.input(address, { type: 'tick', nowMs: this.now });
    }
  }

  /** Hands every message in flight to its receiver, with no time passing and no tick. */
  deliverQueued(): void {
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) {
      if (this.blocked.has(`${m.from}->${m.to}`)) continue;
      this.input(m.to, {
        type: 'receive',
        fromAddress: m.from,
        message: decodeMessage(m.bytes),
        nowMs: this.now,
      });
    }
  }

  of(address: string, type: CoreOutput['type']): CoreOutput[] {
    return this.outputs.get(address)!.filter((o) => o.type === type);
  }

  private apply(from: string, out: CoreOutput[]): void {
    this.outputs.get(from)!.push(...out);
    for (const o of out) {
      if (o.type === 'send' && this.cores.has(o.toAddress)) {
        this.queue.push({ from, to: o.toAddress, bytes: encodeMessage(o.message) });
      }
    }
  }
}

function threeMembersInGroup(extra: Partial<CoreConfig> = {}): Wire {
  const w = new Wire();
  for (const a of ['a:1', 'b:1', 'c:1']) {
    w.add(a, extra);
    w.run(300);
  }
  ['a:1', 'b:1', 'c:1'].forEach((a, i) =>
    w.input(a, { type: 'join', group: 'g', requestId: 100 + i, nowMs: w.now }),
  );
  w.run(500);
  return w;
}

/** Total-order multicasts from `address` to group 'g', each request id also the payload's one byte. */
function orderedSends(w: Wire, address: string, ids: readonly number[]): void {
  for (const id of ids)
    w.input(address, {
      type: 'multicast',
      group: 'g',
      ordering: 'total',
      requestId: id,
      payload: new Uint8Array([id]),
      nowMs: w.now,
    });
}

/** The one-byte payloads `at` delivered from `sender`, in delivery order. */
function deliveredFrom(w: Wire, at: string, sender: string): number[] {
  return w
    .of(at, 'deliver')
    .flatMap((d) => (d.type === 'deliver' && d.sender.address === sender ? [d.payload[0]] : []));
}

const FIVE = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'];

/** Holds the key of group 'vault': its proof is the joiner's identity under the key (no crypto needed in a spec). */
function vaultKey(key: string): GroupGuard {
  const proof = (joiner: Parameters<GroupGuard['proof']>[1]) =>
    new TextEncoder().encode(`${key}|${processKey(joiner)}`);
  return {
    holdsKey: (group) => group === 'vault',
    proof: (_group, self) => proof(self),
    verify: (group, joiner, given) => group === 'vault' && Buffer.from(given).equals(proof(joiner)),
  };
}

/** Five members, oldest first a..e, with a membership service of three: a, b and c vote; d and e are learners. */
function fiveWithServiceOfThree(): Wire {
  const w = new Wire();
  for (const a of FIVE) {
    w.add(a, { membershipServiceSize: 3 });
    w.run(300);
  }
  return w;
}

function isolate(w: Wire, side: readonly string[]): void {
  for (const a of side) {
    for (const b of FIVE.filter((x) => !side.includes(x))) {
      w.blocked.add(`${a}->${b}`);
      w.blocked.add(`${b}->${a}`);
    }
  }
}

function membersOf(w: Wire, address: string): string[] {
  return w.cores.get(address)!.systemView!.members.map((m) => m.address);
}

describe('ProcessCore configuration', () => {
  it('rejects bad bounds with a ConfigError naming the field', () => {
    const self = { address: 'a:1', incarnation: 1 };
    expect(() => new ProcessCore({ self, seeds: [] })).toThrow(/seeds/);
    expect(() => new ProcessCore({ self, seeds: ['a:1'], sendWindowMessages: 0 })).toThrow(
      /sendWindowMessages/,
    );
    expect(
      () => new ProcessCore({ self, seeds: ['a:1'], sendWindowMessages: 8, ackThresholdMessages: 9 }),
    ).toThrow(/ackThresholdMessages must be at most sendWindowMessages \(8\)/);
    expect(
      () => new ProcessCore({ self, seeds: ['a:1'], heartbeatIntervalMs: 100, failureTimeoutMs: 150 }),
    ).toThrow(/failureTimeoutMs/);
    expect(() => new ProcessCore({ self: { address: 'a:1', incarnation: 0 }, seeds: ['a:1'] })).toThrow(
      ConfigError,
    );
    for (const membershipServiceSize of [0, -1, 2.5]) {
      expect(() => new ProcessCore({ self, seeds: ['a:1'], membershipServiceSize })).toThrow(
        /ConfigError: membershipServiceSize must be a positive integer/,
      );
    }
    expect(new ProcessCore({ self, seeds: ['a:1'] }).config.membershipServiceSize).toBe(5);
  });
});

describe('ProcessCore membership', () => {
  it('founds the system, admits joiners in seniority order and reports group views with joined members', () => {
    const w = threeMembersInGroup();
    for (const a of ['a:1', 'b:1', 'c:1']) {
      const view = w.cores.get(a)!.systemView!;
      expect(view.members.map((m) => m.address)).toEqual(['a:1', 'b:1', 'c:1']);
      expect(w.of(a, 'requestDone').length).toBe(1);
    }
    const views = w.of('c:1', 'view');
    const last = views.at(-1)!;
    expect(last.type === 'view' && last.view.members.map((m) => m.address)).toEqual(['a:1', 'b:1', 'c:1']);
  });

  it("joins a key holder whose request lost the founding of a secured group: the leader's refusal only means retry", () => {
    const w = new Wire();
    for (const a of ['a:1', 'b:1']) {
      w.add(a, {}, vaultKey('right'));
      w.run(300);
    }
    // Both ask at once: the leader founds the group with its own request and refuses b's unsponsored one, which b
    // made on the view before; b retries with a proof, which a (now a member) checks and sponsors.
    w.input('a:1', { type: 'join', group: 'vault', requestId: 1, nowMs: w.now });
    w.input('b:1', { type: 'join', group: 'vault', requestId: 2, nowMs: w.now });
    w.run(1_000);
    expect(w.of('b:1', 'requestFailed')).toEqual([]);
    expect(w.of('b:1', 'requestDone')).toEqual([{ type: 'requestDone', requestId: 2 }]);
    const vault = w.cores.get('b:1')!.systemView!.groups.find((g) => g.name === 'vault')!;
    expect(vault.members.map((m) => m.address)).toEqual(['a:1', 'b:1']);
    expect(vault.groupViewId).toBe(2);
  });

  it('refuses a process whose proof a member of the secured group finds wrong', () => {
    const w = new Wire();
    w.add('a:1', {}, vaultKey('right'));
    w.run(300);
    w.add('b:1', {}, vaultKey('wrong'));
    w.run(300);
    w.input('a:1', { type: 'join', group: 'vault', requestId: 1, nowMs: w.now });
    w.run(300);
    w.input('b:1', { type: 'join', group: 'vault', requestId: 2, nowMs: w.now });
    w.run(1_000);
    const failed = w.of('b:1', 'requestFailed');
    expect(failed.map((f) => f.type === 'requestFailed' && f.error.name)).toEqual(['GroupAccessError']);
  });

  it('excludes a process cut off from the majority with MinorityPartitionError, and the rest go on', () => {
    const w = threeMembersInGroup();
    for (const other of ['b:1', 'c:1']) {
      w.blocked.add(`a:1->${other}`);
      w.blocked.add(`${other}->a:1`);
    }
    w.run(1_500);
    const excluded = w.of('a:1', 'excluded');
    expect(excluded.length).toBe(1);
    expect(excluded[0].type === 'excluded' && excluded[0].error).toBeInstanceOf(MinorityPartitionError);
    expect(w.cores.get('b:1')!.systemView!.members.map((m) => m.address)).toEqual(['b:1', 'c:1']);
    expect(w.cores.get('c:1')!.systemView!.id).toBe(w.cores.get('b:1')!.systemView!.id);
  });

  it("takes the service size from the founder's view, whatever a joiner's own configuration says", () => {
    const w = new Wire();
    FIVE.forEach((a, i) => {
      w.add(a, { membershipServiceSize: i === 0 ? 3 : 7 });
      w.run(300);
    });
    for (const a of FIVE) {
      expect(w.cores.get(a)!.systemView!.serviceSize).toBe(3);
      expect(w.cores.get(a)!.serviceMembers.map((m) => m.address)).toEqual(['a:1', 'b:1', 'c:1']);
    }
  });

  it('counts only the membership service: the side with two of its three members goes on, the larger side leaves', () => {
    const w = fiveWithServiceOfThree();
    expect(w.cores.get('e:1')!.serviceMembers.map((m) => m.address)).toEqual(['a:1', 'b:1', 'c:1']);
    isolate(w, ['a:1', 'b:1']);
    w.run(1_500);
    for (const a of ['c:1', 'd:1', 'e:1']) {
      const excluded = w.of(a, 'excluded');
      expect(excluded.length).toBe(1);
      const error = excluded[0].type === 'excluded' ? excluded[0].error : null;
      expect(error).toBeInstanceOf(MinorityPartitionError);
      expect(error?.message).toMatch(
        /lost contact with a majority of the membership service .*rejoin as a new member/,
      );
    }
    expect(membersOf(w, 'a:1')).toEqual(['a:1', 'b:1']);
    expect(membersOf(w, 'b:1')).toEqual(['a:1', 'b:1']);
  });

  it('lets the service install a view without the learners, which leave when cut off from it', () => {
    const w = fiveWithServiceOfThree();
    isolate(w, ['d:1', 'e:1']);
    w.run(1_500);
    for (const a of ['a:1', 'b:1', 'c:1']) expect(membersOf(w, a)).toEqual(['a:1', 'b:1', 'c:1']);
    for (const a of ['d:1', 'e:1']) {
      const excluded = w.of(a, 'excluded');
      expect(excluded[0].type === 'excluded' && excluded[0].error).toBeInstanceOf(MinorityPartitionError);
    }
  });

  it('decides only on a majority of the service: accepts from three of five members, two of them learners, are not enough', () => {
    const w = fiveWithServiceOfThree();
    const viewId = w.cores.get('a:1')!.systemView!.id;
    const since = w.outputs.get('a:1')!.length;
    const sentByA = (kind: string): boolean =>
      w.outputs
        .get('a:1')!
        .slice(since)
        .some((o) => o.type === 'send' && o.message.body.kind === kind);
    w.input('d:1', { type: 'join', group: 'h', requestId: 1, nowMs: w.now });
    w.deliverQueued(); // the request reaches the leader a, which flushes
    w.deliverQueued(); // every member freezes and answers
    w.deliverQueued(); // a has every answer and proposes
    expect(sentByA('propose')).toBe(true);
    w.blocked.add('b:1->a:1');
    w.blocked.add('c:1->a:1');
    w.deliverQueued(); // all accept
    w.deliverQueued(); // a hears its own accept and those of d and e, learners: no decision
    expect(w.cores.get('a:1')!.systemView!.id).toBe(viewId);
    expect(sentByA('commit')).toBe(false);
    w.blocked.clear();
    w.run(200); // b's and c's accepts are retransmitted: decided
    for (const a of FIVE) expect(w.cores.get(a)!.systemView!.id).toBe(viewId + 1);
    expect(w.of('d:1', 'requestDone').length).toBe(1);
  });

  it("gives a failed service member's seat to the next-oldest process, whose vote then counts", () => {
    const w = fiveWithServiceOfThree();
    isolate(w, ['a:1']);
    w.run(1_500);
    expect(membersOf(w, 'b:1')).toEqual(['b:1', 'c:1', 'd:1', 'e:1']);
    expect(w.cores.get('e:1')!.serviceMembers.map((m) => m.address)).toEqual(['b:1', 'c:1', 'd:1']);
    isolate(w, ['a:1', 'b:1']);
    w.run(1_500);
    for (const a of ['c:1', 'd:1', 'e:1']) expect(membersOf(w, a)).toEqual(['c:1', 'd:1', 'e:1']);
  });

  it('drops messages from an excluded incarnation and tells it so', () => {
    const w = threeMembersInGroup();
    w.blocked.add('c:1->a:1');
    w.blocked.add('c:1->b:1');
    w.run(1_000);
    expect(w.cores.get('a:1')!.systemView!.members.map((m) => m.address)).toEqual(['a:1', 'b:1']);
    const delivered = w.of('a:1', 'deliver').length;
    const stale = { from: { address: 'c:1', incarnation: 1 }, toIncarnation: 1, linkSeq: 0, linkAck: 0 };
    const record = {
      group: 'g',
      sender: stale.from,
      epoch: 99,
      seq: 1,
      ordering: 'fifo' as const,
      lamport: 1,
      payload: new Uint8Array([1]),
      queryId: 0,
    };
    const out = w.input('a:1', {
      type: 'receive',
      fromAddress: 'c:1',
      message: { ...stale, body: { kind: 'data', records: [record] } },
      nowMs: w.now,
    });
    expect(w.of('a:1', 'deliver').length).toBe(delivered);
    expect(out.some((o) => o.type === 'send' && o.message.body.kind === 'notMember')).toBe(true);
  });
});

describe('ProcessCore multicast and flow control', () => {
  it('delivers FIFO and total-order multicasts to every member, the sender included', () => {
    const w = threeMembersInGroup();
    const payload = new TextEncoder().encode('hello');
    w.input('b:1', { type: 'multicast', group: 'g', ordering: 'total', requestId: 1, payload, nowMs: w.now });
    w.input('c:1', { type: 'multicast', group: 'g', ordering: 'fifo', requestId: 2, payload, nowMs: w.now });
    w.run(200);
    for (const a of ['a:1', 'b:1', 'c:1']) {
      const deliveries = w.of(a, 'deliver');
      expect(deliveries.map((d) => d.type === 'deliver' && d.sender.address).sort()).toEqual(['b:1', 'c:1']);
    }
  });

  it('packs a batch of multicasts into one data message per member, each request answered and delivered', () => {
    const w = threeMembersInGroup();
    w.deliverQueued();
    const payloads = [1, 2, 3].map((n) => new Uint8Array([n]));
    const out = w.input('a:1', {
      type: 'multicastBatch',
      group: 'g',
      multicasts: payloads.map((payload, i) => ({
        requestId: 10 + i,
        ordering: i === 1 ? ('fifo' as const) : ('total' as const),
        payload,
      })),
      nowMs: w.now,
    });
    const data = out.flatMap((o) => (o.type === 'send' && o.message.body.kind === 'data' ? [o] : []));
    expect(data.map((o) => o.toAddress).sort()).toEqual(['b:1', 'c:1']);
    for (const o of data)
      expect(o.message.body.kind === 'data' && o.message.body.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(out.flatMap((o) => (o.type === 'requestDone' ? [o.requestId] : []))).toEqual([10, 11, 12]);
    w.run(100);
    const delivered = (p: string) =>
      w.of(p, 'deliver').map((d) => (d.type === 'deliver' ? d.payload[0] : -1));
    // a is the group's sequencer: it numbers and delivers its total-order messages as it sends them.
    expect(delivered('a:1')).toEqual([1, 2, 3]);
    // The others deliver the FIFO message on receipt and the total-order ones at the end of the pack, in number order.
    for (const p of ['b:1', 'c:1']) expect(delivered(p)).toEqual([2, 1, 3]);
  });

  it('completes a multicast only when it enters the send window, and fails it when the queue is full', () => {
    const w = threeMembersInGroup({ sendWindowMessages: 2, sendQueueMessages: 2 });
    // Nobody acknowledges a:1's messages for a while, so its window cannot slide.
    w.blocked.add('b:1->a:1');
    w.blocked.add('c:1->a:1');
    const done = (): number[] =>
      w.of('a:1', 'requestDone').map((o) => (o.type === 'requestDone' ? o.requestId : -1));
    const before = done().length;
    const results = [1, 2, 3, 4, 5].map((id) =>
      w.input('a:1', {
        type: 'multicast',
        group: 'g',
        ordering: 'fifo',
        requestId: id,
        payload: new Uint8Array([id]),
        nowMs: w.now,
      }),
    );
    expect(done().slice(before)).toEqual([1, 2]);
    const failed = results[4].find((o) => o.type === 'requestFailed');
    expect(failed && failed.type === 'requestFailed' && failed.error).toBeInstanceOf(SendQueueFullError);
    w.blocked.clear();
    w.run(200);
    expect(done().slice(before)).toEqual([1, 2, 3, 4]);
  });

  it('holds multicasts beyond sendWindowBytes of unstable payload, letting one larger than the bound go alone', () => {
    const w = threeMembersInGroup({ sendWindowMessages: 8, sendWindowBytes: 100 });
    w.blocked.add('b:1->a:1');
    w.blocked.add('c:1->a:1');
    const done = (): number[] =>
      w.of('a:1', 'requestDone').map((o) => (o.type === 'requestDone' ? o.requestId : -1));
    const before = done().length;
    const send = (id: number, bytes: number): void =>
      void w.input('a:1', {
        type: 'multicast',
        group: 'g',
        ordering: 'fifo',
        requestId: id,
        payload: new Uint8Array(bytes),
        nowMs: w.now,
      });
    // 60 + 40 bytes fill the window; 1 more byte waits until acknowledgements free it.
    send(1, 60);
    send(2, 40);
    send(3, 1);
    expect(done().slice(before)).toEqual([1, 2]);
    w.blocked.clear();
    w.run(200);
    expect(done().slice(before)).toEqual([1, 2, 3]);
    // Alone in an empty window, a message larger than the bound still goes; the next waits behind it.
    w.blocked.add('b:1->a:1');
    send(4, 500);
    send(5, 1);
    expect(done().slice(before)).toEqual([1, 2, 3, 4]);
    w.blocked.clear();
    w.run(200);
    expect(done().slice(before)).toEqual([1, 2, 3, 4, 5]);
  });

  it('admits total-order multicasts that wait only for their numbers: done at once, sent in order once granted', () => {
    const w = threeMembersInGroup({ sendWindowMessages: 4 });
    // b:1 is not the sequencer (a:1 is, the oldest): its numbers come from a:1, whose grants are held back.
    w.blocked.add('a:1->b:1');
    const done = (): number[] =>
      w.of('b:1', 'requestDone').map((o) => (o.type === 'requestDone' ? o.requestId : -1));
    const before = done().length;
    const sentData = (): number =>
      w.outputs.get('b:1')!.filter((o) => o.type === 'send' && o.message.body.kind === 'data').length;
    const dataBefore = sentData();
    orderedSends(w, 'b:1', [1, 2, 3, 4, 5]);
    // The window holds four: those four are done (admitted) though none has left; the fifth waits for room.
    expect(done().slice(before)).toEqual([1, 2, 3, 4]);
    expect(sentData()).toBe(dataBefore);
    w.input('b:1', { type: 'flush', group: 'g', requestId: 50, nowMs: w.now });
    w.run(100);
    expect(done().slice(before)).toEqual([1, 2, 3, 4]);
    w.blocked.clear();
    w.run(300);
    for (const a of ['a:1', 'b:1', 'c:1']) expect(deliveredFrom(w, a, 'b:1')).toEqual([1, 2, 3, 4, 5]);
    // The flush waited for the admitted multicasts to leave, then for them to be stable.
    expect(done().slice(before)).toEqual([1, 2, 3, 4, 5, 50]);
  });

  it('leaves a group only once its admitted multicasts are sent, so the leave delivers them', () => {
    const w = threeMembersInGroup({ sendWindowMessages: 4 });
    // a:1 leaves g: b:1 becomes g's sequencer, while a:1 stays the system's leader, which runs c:1's leave.
    w.input('a:1', { type: 'leave', group: 'g', requestId: 70, nowMs: w.now });
    w.run(500);
    // c:1's requests for numbers are held back (a short cut, well under the failure timeout).
    w.blocked.add('c:1->b:1');
    orderedSends(w, 'c:1', [1, 2, 3]);
    w.input('c:1', { type: 'leave', group: 'g', requestId: 60, nowMs: w.now });
    const doneAtC = (): number[] =>
      w.of('c:1', 'requestDone').map((o) => (o.type === 'requestDone' ? o.requestId : -1));
    expect(doneAtC()).toEqual(expect.arrayContaining([1, 2, 3]));
    w.run(150);
    expect(doneAtC()).not.toContain(60);
    w.blocked.clear();
    w.run(1_000);
    for (const a of ['b:1', 'c:1']) expect(deliveredFrom(w, a, 'c:1')).toEqual([1, 2, 3]);
    expect(doneAtC()).toContain(60);
  });

  it('acknowledges as soon as ackThresholdMessages arrived, without waiting for the tick', () => {
    const w = threeMembersInGroup({ sendWindowMessages: 8, ackThresholdMessages: 4 });
    w.deliverQueued();
    const acksFromB = (): (readonly number[])[] =>
      w.outputs
        .get('b:1')!
        .flatMap((o) =>
          o.type === 'send' && o.toAddress === 'a:1' && o.message.body.kind === 'groupAck'
            ? [o.message.body.received]
            : [],
        );
    const multicast = (requestId: number): void =>
      void w.input('a:1', {
        type: 'multicast',
        group: 'g',
        ordering: 'fifo',
        requestId,
        payload: new Uint8Array([requestId]),
        nowMs: w.now,
      });
    const before = acksFromB().length;
    [1, 2, 3].forEach(multicast);
    w.deliverQueued();
    expect(acksFromB()).toHaveLength(before);
    multicast(4);
    w.deliverQueued();
    expect(acksFromB()).toHaveLength(before + 1);
    // The acknowledgement counts all four of a:1's messages (a:1 is rank 0, the oldest member).
    expect(acksFromB()[before][0]).toBe(4);
  });

  it('refuses bad requests with typed errors that say what was wrong', () => {
    const w = threeMembersInGroup();
    const fail = (input: Parameters<ProcessCore['step']>[0]) => {
      const out = w.input('a:1', input).find((o) => o.type === 'requestFailed');
      return out && out.type === 'requestFailed' ? out.error : undefined;
    };
    const nowMs = w.now;
    expect(
      fail({
        type: 'multicast',
        group: 'nope',
        ordering: 'fifo',
        requestId: 1,
        payload: new Uint8Array(),
        nowMs,
      }),
    ).toBeInstanceOf(NotAMemberError);
    expect(
      fail({
        type: 'multicast',
        group: 'g',
        ordering: 'random' as never,
        requestId: 2,
        payload: new Uint8Array(),
        nowMs,
      }),
    ).toBeInstanceOf(RequestError);
    expect(
      fail({
        type: 'multicast',
        group: 'g',
        ordering: 'fifo',
        requestId: 3,
        payload: 'text' as never,
        nowMs,
      }),
    ).toBeInstanceOf(RequestError);
    expect(fail({ type: 'join', group: '', requestId: 4, nowMs })).toBeInstanceOf(RequestError);
    expect(fail({ type: 'leave', group: 'other', requestId: 5, nowMs })).toBeInstanceOf(NotAMemberError);
  });
});
