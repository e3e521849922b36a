import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** `cat FILE | gridcloud c37 inspect /dev/stdin --json`: the capture arrives on a pipe that cannot seek. */
async function inspectPiped(bytes: Uint8Array): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'c37-pipe-'));
  const file = path.join(dir, 'capture');
  writeFileSync(file, bytes);
  try {
    const { stdout, stderr } = await run('sh', [
      '-c',
      'cat "$0" | bin/gridcloud c37 inspect /dev/stdin --json',
      file,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
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

  it('reads a pcapng from a pipe, and refuses a pcapng block past its bound in one line naming the block and offset', async () => {
    const file = readFileSync(`${PCAP_DIR}C37.118_1PMU_TCP_ipv6.pcapng`);
    const piped = await inspectPiped(file);
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout.trim().split('\n').pop() as string).frames.data).toBe(252);
    const broken = Buffer.from(file);
    const secondBlock = broken.readUInt32LE(4);
    broken.writeUInt32LE(0xfffffff0, secondBlock + 4);
    const refused = await inspectPiped(broken);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `pcapng interface description block \\(type 0x1\\) at offset ${secondBlock}: total length 4294967280 is more than maxBlockBytes`,
        ),
      ),
    ]);
  });

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
