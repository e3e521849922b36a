import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ViewChangeAttempt } from '../../protocol/gms/view-change-attempt';
import { PLANTED_BUG_NAMES, isPlanted, plantBug } from '../../protocol/testing/planted-bugs';
import type { ViewValue } from '../../protocol';
import { MUTANT_PLANS, plansForAllBugs } from './mutation-check';

const src = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function view(members: number): ViewValue {
  const ps = Array.from({ length: members }, (_, i) => ({ address: `n${i + 1}:1`, incarnation: 1 }));
  return {
    id: 4,
    members: ps,
    groups: [],
    joined: [],
    left: [],
    failed: [],
    flush: [],
    serviceSize: members,
  };
}

describe('planted protocol bugs (mutation check seam)', () => {
  afterEach(() => plantBug(null));

  it('are all off unless the mutation check plants one', () => {
    expect(PLANTED_BUG_NAMES.filter((b) => isPlanted(b))).toEqual([]);
  });

  it('are reachable only from the protocol cores and sim/mutants, never from the barrels or the runtime', () => {
    const importers = sources(src)
      .filter((f) => !f.endsWith('.spec.ts') && readFileSync(f, 'utf8').includes('planted-bugs'))
      .map((f) => relative(src, f))
      // The DHT's shard is a pure protocol core of its own (dht/dht-shard.ts), with its own planted bug.
      .filter((f) => !f.startsWith('protocol/') && !f.startsWith('sim/mutants/') && f !== 'dht/dht-shard.ts');
    expect(importers).toEqual([]);
    for (const barrel of ['index.ts', 'protocol/index.ts'])
      expect(readFileSync(join(src, barrel), 'utf8')).not.toContain('planted-bugs');
  });

  it('each have a mutant plan', () => {
    expect(plansForAllBugs().map((p) => p.bug)).toEqual([...PLANTED_BUG_NAMES]);
    expect(new Set(MUTANT_PLANS.map((p) => p.bug)).size).toBe(MUTANT_PLANS.length);
  });

  it('switch the rule they name: half of an even service decides only with evenServiceHalfDecides', () => {
    const ballot = { round: 1, leader: view(4).members[0] };
    const decidesWithHalf = (): boolean => {
      const attempt = new ViewChangeAttempt(ballot, view(4), 0);
      attempt.startProposal({ ...view(4), id: 5 });
      attempt.recordAccept(view(4).members[0]);
      return attempt.recordAccept(view(4).members[1]);
    };
    expect(decidesWithHalf()).toBe(false);
    plantBug('evenServiceHalfDecides');
    expect(decidesWithHalf()).toBe(true);
    plantBug(null);
    expect(decidesWithHalf()).toBe(false);
  });
});
