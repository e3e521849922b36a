import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';

/** Runs `npm start` with `args`, calling `onLine` with the output so far after each line, until it exits. */
function runCluster(
  args: string[],
  onLine: (lines: string[]) => void,
): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn('npm', ['start', '-s', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    onLine(lines);
  });
  child.stderr.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString()}`));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, lines })));
}

const RATE = /aligned snapshots ([\d.]+)\/s/;

describe('npm start (the local cluster)', () => {
  it('streams PMU data into ingest, restarts a SIGKILLed simulator, and the snapshots resume', async () => {
    let killed = false;
    let killedAt = -1;
    const { code, lines } = await runCluster(
      ['--duration-s', '16', '--status-interval-ms', '1000', '--restart-delay-ms', '200'],
      (all) => {
        const rates = all.filter((l) => RATE.test(l));
        if (!killed && rates.length >= 3) {
          const pid = Number(
            /pmu-sim: started, pid (\d+)/.exec(all.find((l) => l.includes('pmu-sim: started'))!)![1],
          );
          process.kill(pid, 'SIGKILL');
          killed = true;
          killedAt = all.length;
        }
      },
    );

    const text = lines.join('\n');
    expect(code, text).toBe(0);
    expect(text).toMatch(/pmu-sim: 36 PMUs in 36 C37.118 streams/);
    expect(killed, text).toBe(true);
    expect(text).toMatch(/pmu-sim ended \(signal SIGKILL\); restart 1 of 5/);
    // Snapshots flow before the kill and flow again after the restart.
    const before = lines
      .slice(0, killedAt)
      .map((l) => RATE.exec(l))
      .filter((m) => m !== null);
    const after = lines
      .slice(killedAt)
      .map((l) => RATE.exec(l))
      .filter((m) => m !== null);
    expect(
      before.some((m) => Number(m[1]) > 20),
      text,
    ).toBe(true);
    expect(after.at(-1) !== undefined && Number(after.at(-1)![1]) > 20, text).toBe(true);
    expect(text).toMatch(/cluster stopped/);
  });

  it('refuses a bad flag with a message naming it and exits 2', async () => {
    const { code, lines } = await runCluster(['--fps', 'fast'], () => {});
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/--fps must be an integer in \[1, 240\], got 'fast'/);
  });
});
