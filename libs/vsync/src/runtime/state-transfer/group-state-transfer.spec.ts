import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Group } from '../group';
import { VsyncProcess } from '../vsync-process';
import { FaultInjector } from '../fault-injector';
import { StateBufferOverflowError, StateTransferRestartedError } from './state-transfer-error';
import type { StateTransferOptions, StateTransferProgress } from './state-transfer-options';

const UPDATE = 1;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vsync-state-spec-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The replicated dictionary of the Isis2 examples: UPDATE(name, value) in total order; the state is its entries
 *  plus how many updates it applied, serialized deterministically (sorted) in small chunks. */
class Dictionary {
  entries = new Map<string, number>();
  applied = 0;
  gate: Promise<void> = Promise.resolve();

  options(extra: Partial<StateTransferOptions> = {}): StateTransferOptions {
    return {
      makeCheckpoint: () => {
        const text = JSON.stringify({ applied: this.applied, entries: [...this.entries].sort() });
        const bytes = Buffer.from(text);
        return Array.from({ length: Math.ceil(bytes.length / 16) }, (_, i) =>
          bytes.subarray(i * 16, i * 16 + 16),
        );
      },
      loadCheckpoint: async (chunks) => {
        await this.gate;
        const parts: Buffer[] = [];
        for await (const chunk of chunks) parts.push(Buffer.from(chunk));
        const state = JSON.parse(Buffer.concat(parts).toString()) as {
          applied: number;
          entries: [string, number][];
        };
        this.entries = new Map(state.entries);
        this.applied = state.applied;
      },
      ...extra,
    };
  }

  attach(group: Group): Group {
    return group.handle(UPDATE, (name: string, value: number) => {
      this.entries.set(name, value);
      this.applied += 1;
    });
  }

  snapshot(): string {
    return JSON.stringify({ applied: this.applied, entries: [...this.entries].sort() });
  }
}

function member(name: string, seeds?: string[], faults?: FaultInjector): Group {
  const core = faults === undefined ? undefined : { heartbeatIntervalMs: 100, failureTimeoutMs: 1500 };
  const g = new Group(name, { seeds, founder: seeds === undefined ? true : undefined, faults, core });
  cleanups.push(() => g.close());
  return g;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('join with state transfer', () => {
  it('gives a joiner the state at the view boundary and the messages after it, each once', async () => {
    const dirA = new Dictionary();
    const a = dirA.attach(member('dict')).stateTransfer(dirA.options());
    await a.join();
    for (let i = 0; i < 50; i++) await a.orderedSend(UPDATE, `k${i % 7}`, i);
    await until(() => dirA.applied === 50);
    const dirB = new Dictionary();
    let release!: () => void;
    dirB.gate = new Promise((resolve) => (release = resolve));
    const progress: StateTransferProgress[] = [];
    const b = dirB
      .attach(member('dict', [a.process.self.address]))
      .stateTransfer(dirB.options({ onProgress: (p) => progress.push(p) }));
    const joined = b.join();
    await until(() => a.view?.members.length === 2);
    // Sent after the view that added b: b must hold them back until it loaded the state, then apply each once.
    for (let i = 50; i < 80; i++) await a.orderedSend(UPDATE, `k${i % 7}`, i);
    await until(() => dirA.applied === 80);
    expect(dirB.applied).toBe(0);
    release();
    await joined;
    await until(() => dirB.applied === 80);
    expect(dirB.snapshot()).toBe(dirA.snapshot());
    expect(progress.at(-1)).toMatchObject({ direction: 'receive', percent: 100 });
  });

  it('makes a joiner that buffers more than maxBufferedBytes leave the group, with a typed error', async () => {
    const dirA = new Dictionary();
    const a = dirA.attach(member('dict-overflow')).stateTransfer(dirA.options());
    await a.join();
    const dirB = new Dictionary();
    dirB.gate = new Promise(() => undefined); // never finishes loading
    const errors: Error[] = [];
    const b = dirB
      .attach(member('dict-overflow', [a.process.self.address]))
      .stateTransfer(dirB.options({ maxBufferedBytes: 200 }))
      .onError((e) => errors.push(e));
    const joined = b.join();
    await until(() => a.view?.members.length === 2);
    for (let i = 0; i < 20; i++) await a.orderedSend(UPDATE, 'filler-name-of-some-length', i);
    await expect(joined).rejects.toBeInstanceOf(StateBufferOverflowError);
    expect(errors.some((e) => e instanceof StateBufferOverflowError)).toBe(true);
    // The others go on without it and lose nothing.
    await until(() => a.view?.members.length === 1);
    expect(dirA.applied).toBe(20);
  });
});

describe('a joiner excluded while it loads the state', () => {
  it('aborts the abandoned load, starts the new incarnation load only after that call returned, and stays in the group', async () => {
    const group = 'dict-excluded';
    const [fa, fb, fc] = [new FaultInjector({}), new FaultInjector({}), new FaultInjector({})];
    const dirA = new Dictionary();
    const a = dirA.attach(member(group, undefined, fa)).stateTransfer(dirA.options());
    await a.join();
    const dirC = new Dictionary();
    const c = dirC.attach(member(group, [a.process.self.address], fc)).stateTransfer(dirC.options());
    await c.join();
    for (let i = 0; i < 10; i++) await a.orderedSend(UPDATE, `k${i}`, i);

    const dirB = new Dictionary();
    const calls: string[] = [];
    let firstReason: unknown;
    let callCount = 0;
    const load = dirB.options().loadCheckpoint;
    const errors: Error[] = [];
    const b = dirB
      .attach(member(group, [a.process.self.address], fb))
      .stateTransfer(
        dirB.options({
          loadCheckpoint: async (chunks, signal) => {
            const call = ++callCount;
            calls.push(`start ${call}`);
            if (call === 1) {
              // The first load hangs until the group gives it up, then takes a while to notice, as a real one might.
              await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
              firstReason = signal.reason;
              await new Promise((resolve) => setTimeout(resolve, 300));
              calls.push(`end ${call}`);
              throw signal.reason;
            }
            await load(chunks, signal);
            calls.push(`end ${call}`);
          },
        }),
      )
      .onError((e) => errors.push(e));
    const joined = b.join();
    await until(() => calls.length === 1 && a.view?.members.length === 3);
    const firstSelf = b.process.self;
    // Cut b off both ways: a and c (a majority) exclude it, b hears no one and rejoins as a new incarnation.
    for (const f of [fa, fc]) f.cut(b.process.self.address);
    fb.cut(a.process.self.address);
    fb.cut(c.process.self.address);
    await until(() => b.process.self.incarnation > firstSelf.incarnation);
    for (const f of [fa, fb, fc]) f.heal();
    for (let i = 10; i < 20; i++) await a.orderedSend(UPDATE, `k${i}`, i);
    await joined;
    await until(() => dirB.applied === 20 && b.view?.members.length === 3);
    expect(firstReason).toBeInstanceOf(StateTransferRestartedError);
    expect(calls).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(dirB.snapshot()).toBe(dirA.snapshot());
    expect(errors.some((e) => e instanceof StateTransferRestartedError)).toBe(true);
  }, 60_000);
});

describe('join with state transfer in a keyed system', () => {
  it('streams the state under the key derived from the system secret', async () => {
    const secret = 'a system secret of at least thirty-two bytes';
    const dirA = new Dictionary();
    const a = new Group('dict-keyed', { founder: true, secret });
    cleanups.push(() => a.close());
    dirA.attach(a).stateTransfer(dirA.options());
    await a.join();
    for (let i = 0; i < 10; i++) await a.orderedSend(UPDATE, `k${i}`, i);
    await until(() => dirA.applied === 10);
    const dirB = new Dictionary();
    const b = new Group('dict-keyed', { seeds: [a.process.self.address], secret });
    cleanups.push(() => b.close());
    dirB.attach(b).stateTransfer(dirB.options());
    await b.join();
    expect(b.process.systemSecret).toBe(secret);
    expect(dirB.snapshot()).toBe(dirA.snapshot());
  });
});

describe('checkpoint files', () => {
  it('writes checkpoints atomically, keeps the newest few, and the first member of a restarted group loads the newest', async () => {
    const dir = await tempDir();
    const first = new Dictionary();
    const a = first
      .attach(member('dict-restart'))
      .stateTransfer(first.options({ checkpointDir: dir, keptCheckpoints: 2 }));
    await a.join();
    for (let round = 0; round < 3; round++) {
      await a.orderedSend(UPDATE, 'round', round);
      await until(() => first.applied === round + 1);
      await a.saveCheckpoint();
    }
    const files = await readdir(dir);
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.ckpt'))).toBe(true);
    await a.close();

    const restarted = new Dictionary();
    const b = restarted
      .attach(member('dict-restart'))
      .stateTransfer(restarted.options({ checkpointDir: dir }));
    await b.join();
    expect(restarted.snapshot()).toBe(first.snapshot());
  });
});

describe('VsyncProcess with state transfer', () => {
  it('refuses the reserved control handler id', () => {
    const p = new VsyncProcess();
    cleanups.push(() => p.shutdown());
    const g = new Group('reserved', { process: p });
    expect(() => g.handle(0xffff_ffff, () => undefined)).toThrow(/reserved for state transfer/);
  });
});
