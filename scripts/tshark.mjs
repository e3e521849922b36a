#!/usr/bin/env node
// Makes sure Debian's `tshark` (Wireshark's command-line analyser) is installed for the capture tests, which
// check the project's C37.118 decoding and its pcapng/IPv6 captures against Wireshark's dissectors frame for
// frame. Installs it with apt-get when missing, which needs root.
//
//   node scripts/tshark.mjs          prints the executable's path, installing it first when missing
//
// As a module: `ensureTshark()` returns the path or throws TsharkUnavailableError saying how to install it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where Debian's package puts tshark, and the package's name. */
export const TSHARK_PATH = process.env.GRIDCLOUD_TSHARK ?? '/usr/bin/tshark';
const PACKAGE = 'tshark';

export class TsharkUnavailableError extends Error {
  constructor(message) {
    super(`tshark: ${message}`);
    this.name = 'TsharkUnavailableError';
  }
}

/** Returns the path of a runnable tshark, installing Debian's package when it is missing. */
export function ensureTshark() {
  if (fs.existsSync(TSHARK_PATH)) return TSHARK_PATH;
  const how = `install it with: sudo apt-get install -y ${PACKAGE} (or set GRIDCLOUD_TSHARK to a tshark)`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new TsharkUnavailableError(`${TSHARK_PATH} is missing and this is not root; ${how}`);
  process.stderr.write(`tshark: installing ${PACKAGE} (apt-get)\n`);
  // The package asks whether non-root users may capture; the answer does not matter for reading files.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  const result = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', PACKAGE], {
    encoding: 'utf8',
    env,
  });
  if (result.status !== 0 || !fs.existsSync(TSHARK_PATH))
    throw new TsharkUnavailableError(`apt-get could not install ${PACKAGE}; ${how}\n${result.stderr ?? ''}`);
  return TSHARK_PATH;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensureTshark()}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
