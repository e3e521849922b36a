import type { Launch } from '../desired-state/instance-layout';
import { LocalProcess, type JsonLine, type ProcessExit } from './local-process';

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

/** Each instance a local OS process in its own process group (stopped with the whole group). */
export class LocalProcessDriver implements ProcessDriver {
  start(_instance: string, launch: Launch, onLine: (line: JsonLine) => void): RunningInstance {
    const options = { env: launch.env, maxKeptLines: 0 };
    const p =
      launch.entry === undefined
        ? LocalProcess.spawn(launch.command, options)
        : LocalProcess.tsx(launch.entry, launch.command, options);
    p.onLine(onLine);
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
