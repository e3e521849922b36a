/**
 * One replica of the replicated dictionary as a NestJS application on @gridcloud/nest-vsync (VsyncModule), for
 * test/vsync-state-transfer.proc.ts. Argument: JSON { name, seeds?, founder?, ballastBytes, loadDelayMsPerMib }.
 * Prints JSON lines: ready (joined, state loaded), progress (state transfer, every 10 %), state, updates-stopped,
 * stopped. Reads JSON commands on stdin: { cmd: 'updates', everyMs } starts orderedSend UPDATEs, { cmd: 'stop' }
 * ends them, { cmd: 'state' } prints the state summary.
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { formatProcess, VsyncProcess } from '@gridcloud/vsync';
import { GroupPublisher, VsyncModule } from '@gridcloud/nest-vsync';
import {
  DICTIONARY_GROUP,
  DictionaryStore,
  STORE_SETTINGS,
  type DictionaryStoreSettings,
} from './dictionary-store';

interface Options {
  readonly name: string;
  readonly seeds?: string[];
  readonly founder?: boolean;
  readonly ballastBytes: number;
  readonly loadDelayMsPerMib: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const print = (event: string, fields: Record<string, unknown> = {}): void =>
  void process.stdout.write(`${JSON.stringify({ event, name: options.name, ...fields })}\n`);

let lastDecile = -1;
const settings: DictionaryStoreSettings = {
  ballastBytes: options.ballastBytes,
  loadDelayMsPerMib: options.loadDelayMsPerMib,
  onProgress: (p) => {
    const decile = Math.floor(p.percent / 10);
    if (p.direction === 'receive' && decile !== lastDecile) {
      lastDecile = decile;
      print('progress', { ...p });
    }
  },
};

const quiet: LoggerService = {
  log: () => undefined,
  warn: (m) => console.error(m),
  error: (m) => console.error(m),
};

@Module({
  imports: [
    VsyncModule.forRoot({
      seeds: options.seeds,
      founder: options.founder,
      groups: [DICTIONARY_GROUP],
      // Joined at bootstrap, after DictionaryStore registered its handlers and state transfer (onModuleInit).
      join: [DICTIONARY_GROUP],
      joinTimeoutMs: 60_000,
      // Generous: four replicas, a client and the test share two cores; only the SIGKILL must be detected.
      core: { heartbeatIntervalMs: 100, failureTimeoutMs: 4_000 },
      shutdownLingerMs: 50,
    }),
  ],
  providers: [DictionaryStore, { provide: STORE_SETTINGS, useValue: settings }],
})
class DictionaryModule {}

async function main(): Promise<void> {
  // Signals are handled below (close, then print the final state), instead of Nest's shutdown hooks, which would
  // re-raise the signal before the last line is printed.
  const app = await NestFactory.createApplicationContext(DictionaryModule, { logger: quiet });
  await app.init();
  const store = app.get(DictionaryStore);
  const publisher = app.get(GroupPublisher);
  const self = app.get(VsyncProcess).self;
  print('ready', { id: formatProcess(self), address: self.address, ...store.summary() });

  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as { cmd: string; everyMs?: number };
    if (command.cmd === 'state') print('state', store.summary());
    if (command.cmd === 'updates') {
      timer = setInterval(() => {
        sent += 1;
        publisher
          .orderedSend(DICTIONARY_GROUP, 'update', `k${sent % 5}`, `${options.name}:${sent}`)
          .catch((error: Error) => console.error(`update failed: ${error.message}`));
      }, command.everyMs ?? 20);
    }
    if (command.cmd === 'stop') {
      clearInterval(timer);
      print('updates-stopped', { sent });
    }
  });
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    await app.close();
    print('stopped', store.summary());
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
