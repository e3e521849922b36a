import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioError, ScenarioRunner } from './scenario';

const testdata = fileURLToPath(new URL('../../testdata/', import.meta.url));
const scripts = readdirSync(testdata)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('scripted scenarios (libs/vsync/testdata)', () => {
  it('covers the classic cases the issue names', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        'leader-crash-during-propose.txt',
        'interrupted-multicast.txt',
        'minority-partition.txt',
        'gms-non-service-crashes.txt',
        'gms-service-majority-lost.txt',
        'seed-restart.txt',
        'graceful-leave-two.txt',
        'large-backlog-flush.txt',
        'proposal-timeout-outage.txt',
      ]),
    );
  });

  for (const file of scripts) {
    it(file.replace(/\.txt$/, ''), () => {
      const trace = new ScenarioRunner(file).run(readFileSync(testdata + file, 'utf8'));
      expect(trace.length).toBeGreaterThan(3);
    });
  }

  it('fails a wrong expectation with the file line and what differed', () => {
    const script = 'start 3\nexpect view 1 3 2\n';
    expect(() => new ScenarioRunner('inline.txt').run(script)).toThrow(ScenarioError);
    expect(() => new ScenarioRunner('inline.txt').run(script)).toThrow(
      /inline\.txt:2: .*expected \[1#1 3#1 2#1\]/,
    );
  });

  it('sets core bounds on start, checked by the core itself', () => {
    const trace = new ScenarioRunner('bounds.txt').run('start 3 membershipServiceSize=2\nexpect gms 1 2\n');
    expect(trace).toContain('> expect gms 1 2');
    expect(() => new ScenarioRunner('y.txt').run('start 3 membershipServiceSize=0\n')).toThrow(
      /y\.txt:1: .*membershipServiceSize must be a positive integer/,
    );
    expect(() => new ScenarioRunner('z.txt').run('start 3 membershipServiceSize\n')).toThrow(
      /z\.txt:1: .*usage: start N \[BOUND=VALUE\.\.\.\]/,
    );
  });

  it('rejects an unknown command', () => {
    expect(() => new ScenarioRunner('x.txt').run('start 3\nfrobnicate 2\n')).toThrow(
      /x\.txt:2: .*unknown command/,
    );
  });
});
