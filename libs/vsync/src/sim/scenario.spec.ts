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

  it('rejects an unknown command', () => {
    expect(() => new ScenarioRunner('x.txt').run('start 3\nfrobnicate 2\n')).toThrow(
      /x\.txt:2: .*unknown command/,
    );
  });
});
