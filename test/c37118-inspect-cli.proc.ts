import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectedCaptures, PCAP_DIR } from '../libs/c37118/src/testing/pcap-readme';

/**
 * `bin/gridcloud c37 inspect FILE.pcap --json` as a user runs it: its last
 * line is one JSON object whose counts equal the captures' README.
 */
const run = promisify(execFile);

async function inspect(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bin/gridcloud', ['c37', 'inspect', ...args], {
      cwd: process.cwd(),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('gridcloud c37 inspect', () => {
  for (const c of expectedCaptures()) {
    it(`prints the README's counts for ${c.file}`, async () => {
      const { code, stdout } = await inspect([`${PCAP_DIR}${c.file}`, '--json']);
      expect(code).toBe(0);
      const last = JSON.parse(stdout.trim().split('\n').pop() as string);
      expect(Object.keys(last)).toEqual([
        'frames',
        'crcErrors',
        'rejected',
        'idcodes',
        'stations',
        'dataRate',
        'firstTime',
        'lastTime',
      ]);
      expect(last.frames).toEqual(c.frames);
      expect(last.crcErrors).toBe(0);
      expect(last.rejected).toBe(0);
      if (c.idcodes.length > 0) expect(last.idcodes).toEqual(c.idcodes);
      expect(typeof last.firstTime).toBe('number');
    });
  }

  it('fails with a clear message, not a crash, for a missing file or a non-capture', async () => {
    const missing = await inspect(['/nonexistent/x.pcap', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read '\/nonexistent\/x.pcap'/);
    const notPcap = await inspect([`${PCAP_DIR}README.md`]);
    expect(notPcap.code).toBe(1);
    expect(notPcap.stderr).toMatch(/not a classic pcap file/);
    const usage = await inspect([]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: gridcloud c37 inspect/);
  });
});
