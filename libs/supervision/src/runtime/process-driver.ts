import fs from 'node:fs';
import path from 'node:path';
import type { Launch } from '../desired-state/instance-layout';
import type { EntryBundles } from './entry-bundles';
import { LocalProcess, PROJECT_ROOT, type JsonLine, type ProcessExit } from './local-process';

/** One running instance as a driver sees it. */
export interface RunningInstance {
  readonly pid: number;
  readonly exit: Promise<ProcessExit>;
  readonly lastStderrLine: string;
  readonly running: boolean;
  /** Stops it (gracefully first, forcibly after `graceMs`) with everything it started. */
  stop(graceMs: number): Promise<void>;
}

/**
 * How a host agent runs instances. The embedded cluster's driver spawns local OS processes; a Docker or
 * Kubernetes driver would start a container or a pod from the same `Launch` (command and environment).
 */
export interface ProcessDriver {
  start(instance: string, launch: Launch, onLine: (line: JsonLine) => void): RunningInstance;
}

/** Makes a Node instance stop itself once its agent is gone (see exit-with-agent.mjs). */
const EXIT_WITH_AGENT = `--import=${new URL('./exit-with-agent.mjs', import.meta.url).href}`;

/** The instance's environment: its launch's, with the exit-with-agent preload added to any NODE_OPTIONS it sets. */
function instanceEnv(launch: Launch): Record<string, string> {
  const nodeOptions = [launch.env.NODE_OPTIONS, EXIT_WITH_AGENT].filter((o) => o !== undefined).join(' ');
  return { ...launch.env, NODE_OPTIONS: nodeOptions };
}

/**
 * Each instance a local OS process in its own process group (stopped with the whole group). With `logDir`, each
 * instance's stderr (its human-readable log) is appended to `<logDir>/<service>-<index>.log`, across restarts.
 */
export class LocalProcessDriver implements ProcessDriver {
  constructor(
    private readonly logDir?: string,
    /** Entries bundled ahead (bundleEntries) run from their bundle; the others under tsx. */
    private readonly bundles: EntryBundles = new Map(),
  ) {}

  start(instance: string, launch: Launch, onLine: (line: JsonLine) => void): RunningInstance {
    // An instance's settings are its launch's command line and environment, never the agent's own GRIDCLOUD_*.
    const nodeFlags = launch.nodeFlags ?? [];
    const options = { env: instanceEnv(launch), maxKeptLines: 0, withoutInheritedSettings: true, nodeFlags };
    const bundle = launch.entry === undefined ? undefined : this.bundles.get(launch.entry);
    const p =
      launch.entry === undefined
        ? LocalProcess.spawn(launch.command, options)
        : bundle !== undefined
          ? LocalProcess.spawn(
              [process.execPath, ...nodeFlags, '--enable-source-maps', bundle, ...launch.command],
              {
                ...options,
                cwd: PROJECT_ROOT,
              },
            )
          : LocalProcess.tsx(launch.entry, launch.command, options);
    p.onLine(onLine);
    if (this.logDir !== undefined) {
      const log = fs.createWriteStream(path.join(this.logDir, `${instance.replace('/', '-')}.log`), {
        flags: 'a',
      });
      log.on('error', () => undefined); // A log that cannot be written must not stop the instance.
      p.child.stderr!.pipe(log);
    }
    return {
      pid: p.pid ?? -1,
      exit: p.exit,
      get lastStderrLine() {
        return p.lastStderrLine;
      },
      get running() {
        return p.running;
      },
      stop: async (graceMs) => {
        await p.stop(graceMs);
      },
    };
  }
}
