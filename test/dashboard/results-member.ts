/**
 * A member of the `results` group for the dashboard's client test: it joins `results` and, on the command
 * {"cmd":"publish","count":N,"intervalMs":I}, sends N area results of a one-area estimate of case14 (slots 1..N, flat
 * voltages), encoded as the estimators encode them. Prints ready, view, published (each slot), done.
 */
import { createInterface } from 'node:readline';
import { AREA_RESULT_MESSAGE, encodeAreaResult, RESULTS_GROUP, type AreaResult } from '@gridcloud/estimation';
import { messageHandlerId } from '@gridcloud/nest-vsync';
import { formatProcess, Group, VsyncProcess } from '@gridcloud/vsync';

interface Options {
  readonly seeds?: string[];
}

const BUSES = 14;
const AREA_RESULT = messageHandlerId(AREA_RESULT_MESSAGE);
const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (event: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(event)}\n`);

function areaResult(slot: number): AreaResult {
  const none = new Int32Array(0);
  return {
    slot,
    timeSec: 1_700_000_000 + slot / 30,
    area: 0,
    areaCount: 1,
    busCount: BUSES,
    catalogVersion: 1,
    buses: Int32Array.from({ length: BUSES }, (_, i) => i),
    own: new Uint8Array(BUSES).fill(1),
    vRe: new Float64Array(BUSES).fill(1),
    vIm: new Float64Array(BUSES),
    unobservable: none,
    removedIdcode: new Uint16Array(0),
    removedChannel: new Uint16Array(0),
    openBranches: none,
    cost: 0,
    degreesOfFreedom: 10,
    badDataRemains: false,
    measurementsUsed: 30,
    computeMs: 1,
  };
}

async function publish(group: Group, count: number, intervalMs: number): Promise<void> {
  for (let slot = 1; slot <= count; slot++) {
    await group.send(AREA_RESULT, encodeAreaResult(areaResult(slot)));
    print({ event: 'published', slot });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  print({ event: 'done', count });
}

async function main(): Promise<void> {
  const vsync = new VsyncProcess({
    seeds: options.seeds,
    founder: options.seeds === undefined,
    core: { heartbeatIntervalMs: 100, failureTimeoutMs: 1_500 },
  });
  const group = new Group(RESULTS_GROUP, { process: vsync });
  group.handle(AREA_RESULT, () => undefined);
  group.onView((view) => print({ event: 'view', members: view.members.map(formatProcess) }));
  await vsync.start();
  print({ event: 'ready', address: vsync.self.address });
  await group.join();
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as { cmd: string; count: number; intervalMs: number };
    if (command.cmd === 'publish')
      publish(group, command.count, command.intervalMs).catch((error: Error) =>
        print({ event: 'error', name: error.name, message: error.message }),
      );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `results-member: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
