/**
 * supervisor: keeps the cluster at its desired state. A member of the `supervisors` group; the oldest member acts
 * and the others take over when its view shows it gone. It restarts, through the host agents, every instance that
 * exits or leaves its alive group's view, within each service's restart budget. Prints {"event":"ready"},
 * {"event":"cluster-event",...} for every restart, give-up and configuration error, optional {"event":"stats"}
 * lines and {"event":"stopped"}; human-readable logs go to stderr.
 */
import { parseSupervisorOptions, SUPERVISOR_USAGE } from './config/supervisor-options';
import { SupervisorConfigError } from './errors/supervisor-config-error';
import { SupervisorNode } from './runtime/supervisor-node';

function json(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${SUPERVISOR_USAGE}\n`);
    return;
  }
  const options = parseSupervisorOptions(argv, process.env);
  const node = new SupervisorNode(options, { json, log: (t) => process.stderr.write(`supervisor: ${t}\n`) });
  await node.start();
  json({ event: 'ready', address: `${node.process.self.address}`, acting: node.acting });
  if (options.statsIntervalMs > 0) {
    setInterval(
      () => json({ event: 'stats', atMs: Date.now(), ...node.stats() }),
      options.statsIntervalMs,
    ).unref();
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await node.stop();
    process.stdout.write(`${JSON.stringify({ event: 'stopped', ...node.stats() })}\n`, () => process.exit(0));
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (options.durationS > 0) setTimeout(() => void stop(), options.durationS * 1000);
}

main().catch((error: unknown) => {
  const config = error instanceof SupervisorConfigError;
  process.stderr.write(`supervisor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(config ? 2 : 1);
});
