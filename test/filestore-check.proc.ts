import { afterAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';

const started: LocalProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

describe('filestore:check (the FFFS experiment on real replica processes)', () => {
  it('takes consistent snapshots while a replica is SIGKILLed and restarted, loses no acknowledged record, and fills a brand-new replica', async () => {
    const args = [
      '--json',
      '--writers',
      '4',
      '--files-per-writer',
      '2',
      '--readers',
      '2',
      '--duration-s',
      '14',
    ];
    const check = LocalProcess.tsx('scripts/filestore-check/main.ts', [
      ...args,
      '--kill-at-s',
      '4',
      '--down-s',
      '2',
    ]);
    started.push(check);
    const code = await check.exited;
    const last = check.lines.at(-1) ?? {};
    expect(code, check.stderr).toBe(0);
    expect(last.killed).toBe(1);
    expect(last.added).toBe(1);
    expect(last.snapshots as number).toBeGreaterThan(0);
    expect(last.acknowledgedRecords as number).toBeGreaterThan(0);
    expect(last).toMatchObject({ inconsistent: 0, acknowledgedLost: 0, replicasDiffer: 0 });
  }, 240_000);
});
