import { describe, expect, it } from 'vitest';
import type { AreaResult } from '@gridcloud/estimation';
import { freePort } from '@gridcloud/command-line';
import { ResultArchive, resultPathOf } from './result-archive';

const result = (slot: number, area: number): AreaResult =>
  ({ slot, area, timeSec: 1_733_137_200.5 }) as AreaResult;

describe('ResultArchive', () => {
  it('files results by area and UTC hour', () => {
    expect(resultPathOf(2, 1_733_137_200_500_000_000n)).toBe('results/area-2/2024-12-02T11');
  });

  it('queues each (slot, area) once, and counts what a store that is down could not take', async () => {
    const errors: string[] = [];
    const archive = new ResultArchive([`http://127.0.0.1:${await freePort()}`], (m) => errors.push(m));
    archive.add(result(1, 0), new Uint8Array([1]));
    archive.add(result(1, 0), new Uint8Array([1]));
    archive.add(result(1, 1), new Uint8Array([2]));
    expect(archive.counters.queued).toBe(2);
    await archive.close();
    expect(archive.counters).toMatchObject({ stored: 0, dropped: 2, appendErrors: 2 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('no file store replica answered');
  });
});
