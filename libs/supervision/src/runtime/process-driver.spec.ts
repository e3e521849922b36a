import { describe, expect, it } from 'vitest';
import type { JsonLine } from './local-process';
import { LocalProcessDriver } from './process-driver';

const ENTRY = 'libs/supervision/src/runtime/testing/print-exec-argv.ts';

describe('LocalProcessDriver', () => {
  it("runs an entry with its launch's node flags ahead of the loader, and none when it has none", async () => {
    const execArgvOf = async (nodeFlags: readonly string[] | undefined): Promise<string[]> => {
      const lines: JsonLine[] = [];
      const running = new LocalProcessDriver().start(
        'probe/0',
        { command: [], entry: ENTRY, env: {}, ...(nodeFlags === undefined ? {} : { nodeFlags }) },
        (line) => lines.push(line),
      );
      const exit = await running.exit;
      expect(exit.code).toBe(0);
      return lines.find((l) => l.event === 'exec-argv')!.execArgv as string[];
    };
    const flagged = await execArgvOf(['--initial-old-space-size=128', '--no-warnings']);
    expect(flagged.slice(0, 3)).toEqual(['--initial-old-space-size=128', '--no-warnings', '--import']);
    const plain = await execArgvOf(undefined);
    expect(plain[0]).toBe('--import');
    expect(plain).not.toContain('--initial-old-space-size=128');
  }, 30_000);
});
