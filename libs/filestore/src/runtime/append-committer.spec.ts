import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { CommitEntry } from '../protocol/append-commit';
import { AppendCommitter, type CommitBounds } from './append-committer';

const bounds: CommitBounds = {
  maxCommitAppends: 64,
  maxCommitRecords: 1_000,
  maxCommitBytes: 1 << 20,
  maxCommitsInFlight: 1,
};

/** A group stand-in whose commits complete when the test says so: what was sent, and a way to answer. */
function controlledGroup() {
  const sent: Array<{ paths: string[]; answer: (replies: unknown[]) => void; fail: (e: Error) => void }> = [];
  const send = (entries: CommitEntry[]): Promise<unknown[]> =>
    new Promise((answer, fail) => sent.push({ paths: entries.map((e) => e.path), answer, fail }));
  return { sent, send };
}

const batch = new Uint8Array(13);

describe('AppendCommitter', () => {
  it('sends the appends of one turn as one commit and gives each its place in it', async () => {
    const group = controlledGroup();
    const committer = new AppendCommitter({ ...bounds, maxCommitsInFlight: 4 }, group.send);
    const outcomes = ['a', 'b', 'c'].map((path) => committer.add(path, batch, 1));
    expect(group.sent).toHaveLength(0);
    await nextTurn();
    expect(group.sent.map((c) => c.paths)).toEqual([['a', 'b', 'c']]);
    group.sent[0].answer(['r1', 'r2']);
    expect((await Promise.all(outcomes)).map((o) => o.index)).toEqual([0, 1, 2]);
    expect((await outcomes[2]).replies).toEqual(['r1', 'r2']);
  });

  it('keeps collecting while maxCommitsInFlight commits are out, and sends the rest when one completes', async () => {
    const group = controlledGroup();
    const committer = new AppendCommitter(bounds, group.send);
    const first = committer.add('a', batch, 1);
    await nextTurn();
    const later = ['b', 'c', 'd'].map(async (path, i) => {
      await nextTurn();
      for (let t = 0; t < i; t++) await nextTurn();
      return committer.add(path, batch, 1);
    });
    for (let t = 0; t < 6; t++) await nextTurn();
    expect(group.sent.map((c) => c.paths)).toEqual([['a']]);
    expect(committer.waiting).toBe(3);
    group.sent[0].answer([]);
    await first;
    await nextTurn();
    expect(group.sent.map((c) => c.paths)).toEqual([['a'], ['b', 'c', 'd']]);
    group.sent[1].answer([]);
    await Promise.all(later);
  });

  it('sends a full commit at once even with commits out, and a failed commit fails each of its appends', async () => {
    const group = controlledGroup();
    const committer = new AppendCommitter({ ...bounds, maxCommitAppends: 2 }, group.send);
    void committer.add('a', batch, 1).catch(() => undefined);
    await nextTurn();
    const full = [committer.add('b', batch, 1), committer.add('c', batch, 1)];
    expect(group.sent.map((c) => c.paths)).toEqual([['a'], ['b', 'c']]);
    group.sent[1].fail(new Error('no quorum'));
    for (const outcome of full) await expect(outcome).rejects.toThrow('no quorum');
  });
});
