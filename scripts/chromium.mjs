#!/usr/bin/env node
// Makes sure Debian's `chromium` is installed for the browser tests (playwright-core drives it; no browser is
// downloaded by Playwright itself). Installs it with apt-get when missing, which needs root.
//
//   node scripts/chromium.mjs          prints the executable's path, installing it first when missing
//
// As a module: `ensureChromium()` returns the path or throws ChromiumUnavailableError saying how to install it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where Debian's package puts the browser, and the package's name. */
export const CHROMIUM_PATH = process.env.GRIDCLOUD_CHROMIUM ?? '/usr/bin/chromium';
const PACKAGE = 'chromium';

export class ChromiumUnavailableError extends Error {
  constructor(message) {
    super(`chromium: ${message}`);
    this.name = 'ChromiumUnavailableError';
  }
}

/** Returns the path of a runnable chromium, installing Debian's package when it is missing. */
export function ensureChromium() {
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const how = `install it with: sudo apt-get install -y ${PACKAGE} (or set GRIDCLOUD_CHROMIUM to a browser)`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new ChromiumUnavailableError(`${CHROMIUM_PATH} is missing and this is not root; ${how}`);
  process.stderr.write(`chromium: installing ${PACKAGE} (apt-get)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  const result = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', PACKAGE], {
    encoding: 'utf8',
    env,
  });
  if (result.status !== 0 || !fs.existsSync(CHROMIUM_PATH))
    throw new ChromiumUnavailableError(
      `apt-get could not install ${PACKAGE}; ${how}\n${result.stderr ?? ''}`,
    );
  return CHROMIUM_PATH;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensureChromium()}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
