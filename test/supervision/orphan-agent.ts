// A stand-in host agent for test/supervision/orphan-exit.proc.ts: starts one long-running Node instance through the
// LocalProcessDriver, prints its pid as a JSON line, and waits to be killed.
import { LocalProcessDriver } from '@gridcloud/supervision';

const driver = new LocalProcessDriver();
const instance = driver.start(
  'idle/0',
  { command: [process.execPath, '-e', 'setInterval(() => undefined, 1000)'], entry: undefined, env: {} },
  () => undefined,
);
process.stdout.write(`${JSON.stringify({ event: 'instance', pid: instance.pid })}\n`);
setInterval(() => undefined, 1000);
