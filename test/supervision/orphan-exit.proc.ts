import { afterAll, describe, expect, it } from 'vitest';
import { LocalProcess } from '@gridcloud/supervision';

const started: number[] = [];
afterAll(() => {
  for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once `pid` is gone, false if it still runs after `timeoutMs`. */
async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

describe('host agent: its instances do not outlive it', () => {
  it('an instance stops itself once its agent is SIGKILLed, and runs while the agent lives', async () => {
    const agent = LocalProcess.tsx('test/supervision/orphan-agent.ts', []);
    const line = await agent.waitFor((l) => l.event === 'instance', 'the instance pid', 60_000);
    const pid = line.pid as number;
    started.push(pid);
    expect(await gone(pid, 2_000)).toBe(false);

    process.kill(agent.pid!, 'SIGKILL');
    await agent.exit;
    expect(await gone(pid, 30_000)).toBe(true);
  });
});
