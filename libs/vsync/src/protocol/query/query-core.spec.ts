import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../codec/message-codec';
import type { CoreConfig } from '../core-config';
import type { CoreInput, CoreOutput } from '../core-io';
import { QueryAbortedError } from '../errors/query-aborted-error';
import { QueryTimeoutError } from '../errors/query-timeout-error';
import { RequestError } from '../errors/request-error';
import { ProcessCore } from '../process-core';
import { processKey, type ProcessId } from '../process-id';
import type { QueryTarget, QueryWant, TimeoutAction } from './query-types';

const BOUNDS = {
  tickIntervalMs: 10,
  heartbeatIntervalMs: 50,
  failureTimeoutMs: 300,
  retransmitIntervalMs: 40,
  viewChangeTimeoutMs: 200,
  joinRetryMs: 100,
  foundAfterMs: 100,
};
type Answer = 'value' | 'null' | 'abort' | 'silent' | 'twice';

/** Cores wired through the codec; each member answers query deliveries the way `answers` says (a responder's runtime:
 *  the reply payload is its own address), and `crashed` members receive and send nothing. */
class QueryWire {
  readonly cores = new Map<string, ProcessCore>();
  readonly outputs = new Map<string, CoreOutput[]>();
  readonly answers = new Map<string, Answer>();
  readonly crashed = new Set<string>();
  now = 0;
  private queue: { to: string; bytes: Uint8Array }[] = [];

  add(address: string, extra: Partial<CoreConfig> = {}): void {
    const self = { address, incarnation: 1 };
    this.cores.set(address, new ProcessCore({ ...BOUNDS, ...extra, self, seeds: ['a:1'] }));
    this.outputs.set(address, []);
    this.input(address, { type: 'start', nowMs: this.now });
  }

  pid(address: string): ProcessId {
    return { address, incarnation: 1 };
  }

  input(address: string, input: CoreInput): void {
    if (this.crashed.has(address)) return;
    const out = this.cores.get(address)!.step(input);
    this.outputs.get(address)!.push(...out);
    for (const o of out) {
      if (o.type === 'send') this.queue.push({ to: o.toAddress, bytes: encodeMessage(o.message) });
      if (o.type === 'deliver' && o.queryId !== 0) this.answer(address, o.sender, o.queryId);
    }
  }

  run(ms: number): void {
    for (const end = this.now + ms; this.now < end;) {
      this.now += 5;
      const batch = this.queue.splice(0);
      for (const m of batch) {
        const message = decodeMessage(m.bytes);
        if (this.cores.has(m.to) && !this.crashed.has(message.from.address))
          this.input(m.to, { type: 'receive', fromAddress: message.from.address, message, nowMs: this.now });
      }
      if (this.now % 10 === 0)
        for (const a of this.cores.keys()) this.input(a, { type: 'tick', nowMs: this.now });
    }
  }

  group(addresses: string[], name = 'g'): void {
    addresses.forEach((a, i) =>
      this.input(a, { type: 'join', group: name, requestId: 900 + i, nowMs: this.now }),
    );
    this.run(600);
  }

  query(
    from: string,
    id: number,
    target: QueryTarget,
    want: QueryWant,
    onTimeout: TimeoutAction = 'abort',
  ): void {
    const payload = new Uint8Array([id]);
    this.input(from, {
      type: 'query',
      group: 'g',
      requestId: id,
      target,
      payload,
      want,
      timeoutMs: 500,
      onTimeout,
      nowMs: this.now,
    });
  }

  /** The answerers of a completed query (addresses, in reply order), or the error it failed with. */
  outcome(at: string, id: number): string[] | Error | undefined {
    for (const o of this.outputs.get(at)!) {
      if (o.type === 'queryDone' && o.requestId === id)
        return o.replies.map((r) => (r.outcome === 'null' ? 'null' : new TextDecoder().decode(r.payload)));
      if (o.type === 'requestFailed' && o.requestId === id) return o.error;
    }
    return undefined;
  }

  sentReplies(from: string): number {
    return this.outputs.get(from)!.filter((o) => o.type === 'send' && o.message.body.kind === 'queryReply')
      .length;
  }

  private answer(address: string, querier: ProcessId, queryId: number): void {
    const how = this.answers.get(address) ?? 'value';
    if (how === 'silent') return;
    const outcome = how === 'twice' ? 'value' : how;
    const payload = new TextEncoder().encode(outcome === 'abort' ? `no from ${address}` : address);
    const reply: CoreInput = { type: 'reply', querier, queryId, outcome, payload, nowMs: this.now };
    this.input(address, reply);
    if (how === 'twice') this.input(address, reply);
  }
}

function threeMembers(): QueryWire {
  const w = new QueryWire();
  for (const a of ['a:1', 'b:1', 'c:1']) w.add(a);
  w.run(400);
  w.group(['a:1', 'b:1', 'c:1']);
  return w;
}

describe('queries in the protocol core', () => {
  it('query(ALL) gathers one answer per member, oldest member first, its own included', () => {
    const w = threeMembers();
    w.query('b:1', 1, { ordering: 'fifo' }, 'all');
    w.query('c:1', 2, { ordering: 'total' }, 'all');
    w.run(200);
    expect(w.outcome('b:1', 1)).toEqual(['a:1', 'b:1', 'c:1']);
    expect(w.outcome('c:1', 2)).toEqual(['a:1', 'b:1', 'c:1']);
  });

  it('a count or MAJORITY completes as soon as that many answered; null replies count without a value', () => {
    const w = threeMembers();
    w.answers.set('a:1', 'null');
    w.answers.set('c:1', 'silent');
    w.query('b:1', 1, { ordering: 'fifo' }, 'majority');
    w.query('b:1', 2, { ordering: 'fifo' }, 1);
    w.run(200);
    expect(w.outcome('b:1', 1)).toEqual(['null', 'b:1']);
    expect((w.outcome('b:1', 2) as string[]).length).toBe(1);
  });

  it('completes with the survivors when a silent member crashes: it leaves the expected set at the view change', () => {
    const w = threeMembers();
    w.answers.set('c:1', 'silent');
    w.query('a:1', 1, { ordering: 'fifo' }, 'all');
    w.run(100);
    expect(w.outcome('a:1', 1)).toBeUndefined();
    w.crashed.add('c:1');
    w.run(1_200);
    expect(w.outcome('a:1', 1)).toEqual(['a:1', 'b:1']);
  });

  it('an abortReply fails the query with QueryAbortedError naming the member and its reason', () => {
    const w = threeMembers();
    w.answers.set('c:1', 'abort');
    w.query('a:1', 1, { ordering: 'total' }, 'all');
    w.run(200);
    const error = w.outcome('a:1', 1);
    expect(error).toBeInstanceOf(QueryAbortedError);
    expect((error as Error).message).toMatch(/c:1\/1 aborted .*no from c:1/);
  });

  it('on timeout: abort rejects naming the silent, nullReply returns what arrived, declareFailed removes them', () => {
    const w = threeMembers();
    w.answers.set('c:1', 'silent');
    w.query('a:1', 1, { ordering: 'fifo' }, 'all', 'abort');
    w.query('a:1', 2, { ordering: 'fifo' }, 'all', 'nullReply');
    w.run(600);
    expect(w.outcome('a:1', 1)).toBeInstanceOf(QueryTimeoutError);
    expect((w.outcome('a:1', 1) as Error).message).toMatch(/silent: c:1\/1/);
    expect(w.outcome('a:1', 2)).toEqual(['a:1', 'b:1']);
    w.query('b:1', 3, { ordering: 'fifo' }, 'all', 'declareFailed');
    w.run(1_500);
    expect(w.outcome('b:1', 3)).toEqual(['a:1', 'b:1']);
    const view = w.cores.get('a:1')!.systemView!;
    expect(view.members.map(processKey)).not.toContain('c:1#1');
  });

  it('counts no reply twice: a second reply to one delivery is never sent', () => {
    const w = threeMembers();
    w.answers.set('c:1', 'twice');
    w.query('a:1', 1, { ordering: 'fifo' }, 'all');
    w.run(200);
    expect(w.outcome('a:1', 1)).toEqual(['a:1', 'b:1', 'c:1']);
    expect(w.sentReplies('c:1')).toBe(1);
  });

  it('p2pQuery asks one member, also from a process outside the group; a non-member target is refused', () => {
    const w = threeMembers();
    w.add('d:1');
    w.run(600);
    w.query('d:1', 1, { to: w.pid('b:1') }, 1);
    w.query('d:1', 2, { to: w.pid('d:1') }, 1);
    w.run(200);
    expect(w.outcome('d:1', 1)).toEqual(['b:1']);
    expect(w.outcome('d:1', 2)).toBeInstanceOf(RequestError);
  });

  it('bounds the pending-query table with maxPendingQueries', () => {
    const w = new QueryWire();
    w.add('a:1', { maxPendingQueries: 1 });
    w.add('b:1');
    w.run(400);
    w.group(['a:1', 'b:1']);
    w.answers.set('b:1', 'silent');
    w.query('a:1', 1, { ordering: 'fifo' }, 'all');
    w.query('a:1', 2, { ordering: 'fifo' }, 'all');
    expect((w.outcome('a:1', 2) as Error).message).toMatch(/maxPendingQueries \(1\)/);
  });
});
