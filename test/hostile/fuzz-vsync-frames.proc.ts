/**
 * A socket-level fuzzer: fast-check drives frames at live members of a 3-process group over raw sockets (random
 * bytes, headers with random flags and lengths, hellos naming the attacker or a member followed by protocol messages
 * of every kind with random fields, in a member's name or the attacker's, and mutated encodings). Whatever arrives,
 * no member crashes, none is excluded, no view changes, nothing forged is delivered, and the group goes on
 * delivering: once without a key and once with one. The budget is fixed (runs and a per-run wait), so it finishes
 * in well under a minute; FUZZ_SEED replays a run.
 */
import fc from 'fast-check';
import {
  encodeGroupCall,
  type ProcessId,
  type WireBody,
  type WireMessage,
  encodeMessage,
} from '@gridcloud/vsync';
import { afterAll, describe, expect, it } from 'vitest';
import { attackerAddress, dataFrame, frame, keyedHello, openHello, parseId, RawPeer } from './vsync-attacker';
import { HostileGroup, sleep } from './vsync-rig';

const SECRET = 'gridcloud-fuzz-secret-0123456789abcdefABCDEF';
const RUNS_OPEN = 500;
const RUNS_KEYED = 250;
/** How long one run waits for the member to close the connection before moving on. */
const RUN_WAIT_MS = 40;

const groups: HostileGroup[] = [];
const cleanups: Array<() => void> = [];

afterAll(async () => {
  for (const cleanup of cleanups) cleanup();
  await Promise.all(groups.map((g) => g.close()));
});

function processIds(group: HostileGroup, attacker: string): fc.Arbitrary<ProcessId> {
  const known = [...group.ids.map(parseId), { address: attacker, incarnation: 1 }];
  return fc.oneof(
    fc.constantFrom(...known),
    fc.record({ address: fc.constantFrom(...known.map((p) => p.address)), incarnation: fc.nat() }),
  );
}

function bodies(ids: fc.Arbitrary<ProcessId>, sender: ProcessId): fc.Arbitrary<WireBody> {
  const viewId = fc.nat({ max: 1_000 });
  const ballot = fc.record({ round: fc.nat(), leader: ids });
  const record = fc.record({
    group: fc.constantFrom('hostile', 'other'),
    sender: fc.constant(sender),
    epoch: viewId,
    seq: fc.integer({ min: 1, max: 100 }),
    ordering: fc.constantFrom('fifo' as const, 'total' as const),
    lamport: fc.nat(),
    queryId: fc.constant(0),
    payload: fc.nat().map((n) => encodeGroupCall(1, ['forged-fuzz', n])),
  });
  const value = fc.record({
    id: viewId,
    members: fc.array(ids, { minLength: 1, maxLength: 3 }),
    groups: fc.constant([]),
    joined: fc.constant([]),
    left: fc.constant([]),
    failed: fc.constant([]),
    serviceSize: fc.integer({ min: 1, max: 5 }),
    flush: fc.constant([]),
  });
  return fc.oneof(
    fc.record({ kind: fc.constant('notMember' as const), viewId }),
    fc.record({ kind: fc.constant('heartbeat' as const), viewId }),
    fc.record({ kind: fc.constant('suspect' as const), viewId, suspects: fc.array(ids, { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('flush' as const), viewId, ballot }),
    fc.record({ kind: fc.constant('nack' as const), viewId, promised: ballot }),
    fc.record({ kind: fc.constant('propose' as const), viewId, ballot, value }),
    fc.record({ kind: fc.constant('commit' as const), value }),
    fc.record({ kind: fc.constant('leaveSystem' as const), viewId }),
    fc.record({ kind: fc.constant('joinRequest' as const), joiner: ids }),
    fc.record({
      kind: fc.constant('groupChange' as const),
      member: ids,
      group: fc.constant('hostile'),
      join: fc.boolean(),
    }),
    fc.array(record, { minLength: 1, maxLength: 4 }).map((records) => ({
      kind: 'data' as const,
      records: records.map((r, i) => ({ ...r, seq: records[0].seq + i })),
    })),
  ) as fc.Arbitrary<WireBody>;
}

function messages(ids: fc.Arbitrary<ProcessId>): fc.Arbitrary<Uint8Array> {
  return ids.chain((from) =>
    fc
      .record({
        toIncarnation: fc.nat(),
        linkSeq: fc.nat({ max: 50 }),
        linkAck: fc.nat({ max: 50 }),
        body: bodies(ids, from),
      })
      .map((m): Uint8Array => {
        const message: WireMessage = { from, ...m };
        try {
          return encodeMessage(message);
        } catch {
          return new Uint8Array([9, 9, 9]);
        }
      }),
  );
}

/** Everything one run may write on one fresh connection. */
function inputs(group: HostileGroup, attacker: string): fc.Arbitrary<Buffer> {
  const ids = processIds(group, attacker);
  const helloAs = fc.constantFrom(attacker, ...group.addresses);
  const encoded = fc.array(messages(ids), { minLength: 1, maxLength: 4 });
  const mutated = fc.tuple(messages(ids), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([m, at, xor]) => {
    const copy = Buffer.from(m);
    copy[at % copy.length] ^= xor;
    return copy;
  });
  const hello = fc.oneof(helloAs.map(openHello), helloAs.map(keyedHello));
  return fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
    fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 512 }), fc.option(fc.nat()))
      .map(([flags, body, length]) => {
        const bytes = frame(flags, body);
        if (length !== null) bytes.writeUInt32BE(length >>> 0, 4);
        return bytes;
      }),
    fc.tuple(hello, encoded).map(([h, ms]) => Buffer.concat([h, dataFrame(ms)])),
    fc
      .tuple(hello, fc.array(mutated, { minLength: 1, maxLength: 3 }))
      .map(([h, ms]) => Buffer.concat([h, dataFrame(ms)])),
  );
}

async function fuzz(group: HostileGroup, runs: number, keyed: boolean): Promise<void> {
  const attacker = await attackerAddress();
  cleanups.push(attacker.close);
  const exclusionsBefore = await group.total((s) => s.exclusions as number);
  const viewsBefore = group.members.map((m) => m.events.filter((e) => e.event === 'view').length);
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: 2 }), inputs(group, attacker.address), async (target, bytes) => {
      const peer = await RawPeer.connect(group.addresses[target]);
      await peer.write(bytes);
      await Promise.race([peer.closed, sleep(RUN_WAIT_MS)]);
      peer.close();
      return group.allRunning();
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  await sleep(1_000);
  const excluded = (await group.total((s) => s.exclusions as number)) - exclusionsBefore;
  const viewChanges = group.members.filter(
    (m, i) => m.events.filter((e) => e.event === 'view').length !== viewsBefore[i],
  ).length;
  const forged = group.deliveriesTagged('forged') + excluded + viewChanges;
  const rejected = await group.total((s) => {
    const counts = (s.transport as { rejectedFrames: Record<string, number> }).rejectedFrames;
    return Object.values(counts).reduce((a, b) => a + b, 0);
  });
  console.info(
    `fuzz (${keyed ? 'keyed' : 'open'}): ${runs} runs, ${rejected} connections rejected and counted`,
  );
  const result = await group.verdict(`vsync socket fuzzer (${keyed ? 'keyed' : 'open'})`, forged, keyed);
  expect(result).toMatchObject({ survived: true, forgedAccepted: 0, outage: 0 });
  expect(rejected).toBeGreaterThan(runs / 4);
}

describe('socket-level fuzzer at live members', () => {
  it('without a key: nothing crashes, excludes or is delivered', async () => {
    const group = await HostileGroup.start(3);
    groups.push(group);
    await fuzz(group, RUNS_OPEN, false);
  });

  it('with a key: nothing crashes, excludes or is delivered', async () => {
    const group = await HostileGroup.start(3, { secret: SECRET });
    groups.push(group);
    await fuzz(group, RUNS_KEYED, true);
  });
});
