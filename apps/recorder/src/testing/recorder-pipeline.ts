import path from 'node:path';
import { freePort } from '@gridcloud/command-line';
import { LocalProcess } from '@gridcloud/supervision';

/** The apps' entries, relative to the project root (as test/support/app-entries.ts lists them). */
const ENTRIES = {
  pmuSim: 'apps/pmu-sim/src/main.ts',
  ingest: 'apps/ingest/src/main.ts',
  estimator: 'apps/estimator/src/main.ts',
  recorder: 'apps/recorder/src/main.ts',
};

export interface PipelineOptions {
  readonly casePath: string;
  readonly estimators: number;
  readonly areas: number;
  /** The recorder's own flags (--influx-url, --redis-url, ...). */
  readonly recorderArgs: readonly string[];
  readonly fps: number;
}

/**
 * A running cluster on loopback for the recorder's tests: estimators, the recorder, pmu-sim over TCP and ingest
 * publishing to the estimators group; every process real, every result through the groups.
 */
export class RecorderPipeline {
  readonly procs: LocalProcess[] = [];
  recorder!: LocalProcess;
  ingest!: LocalProcess;
  sim!: LocalProcess;
  /** The vsync seed every process joins through. */
  seeds = '';

  static async start(o: PipelineOptions): Promise<RecorderPipeline> {
    const p = new RecorderPipeline();
    await p.boot(o);
    return p;
  }

  private async boot(o: PipelineOptions): Promise<void> {
    const casePath = path.resolve(o.casePath);
    const ports = await Promise.all(Array.from({ length: o.estimators + 1 }, () => freePort()));
    const seeds = `127.0.0.1:${ports[0]}`;
    this.seeds = seeds;
    const vsync = (port: number) => [
      '--vsync-port',
      String(port),
      '--vsync-seeds',
      seeds,
      '--http-port',
      'off',
    ];
    const estimators = ports
      .slice(0, o.estimators)
      .map((port) =>
        this.add(
          LocalProcess.tsx(ENTRIES.estimator, [
            '--case',
            casePath,
            '--areas',
            String(o.areas),
            '--replicas',
            '2',
            ...vsync(port),
          ]),
        ),
      );
    for (const e of estimators) await e.waitFor((l) => l.event === 'ready', 'estimator ready');
    this.recorder = this.add(
      LocalProcess.tsx(ENTRIES.recorder, [
        ...['--case', casePath, '--areas', String(o.areas), '--stats-interval-ms', '500'],
        ...vsync(ports[o.estimators]),
        ...o.recorderArgs,
      ]),
    );
    await this.recorder.waitFor((l) => l.event === 'ready', 'recorder ready');
    this.sim = this.add(
      LocalProcess.tsx(ENTRIES.pmuSim, ['--case', casePath, '--tcp', '127.0.0.1:0', '--fps', String(o.fps)]),
    );
    const ready = (await this.sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    this.ingest = this.add(
      LocalProcess.tsx(ENTRIES.ingest, [
        ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
        ...['--fps', String(o.fps), '--vsync-seeds', seeds, '--http-port', 'off'],
      ]),
    );
    await this.ingest.waitFor((l) => l.event === 'ready', 'ingest ready');
  }

  /** The recorder's latest stats line. */
  recorderStats(): RecorderStatsLine | undefined {
    return this.recorder.lines.filter((l) => l.event === 'stats').at(-1) as RecorderStatsLine | undefined;
  }

  /** Waits until the recorder's stats satisfy `test`; bounded by `timeoutMs`. */
  async waitForStats(
    test: (s: RecorderStatsLine) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<RecorderStatsLine> {
    return (await this.recorder.waitFor(
      (l) => l.event === 'stats' && test(l as unknown as RecorderStatsLine),
      what,
      timeoutMs,
    )) as unknown as RecorderStatsLine;
  }

  /** Stops the sources first, then the estimators, then the recorder (which writes what it buffered). */
  async stop(): Promise<void> {
    await this.sim?.stop();
    await this.ingest?.stop();
    await Promise.allSettled(this.procs.filter((p) => p !== this.recorder).map((p) => p.stop()));
    await this.recorder?.stop(10_000);
  }

  kill(): void {
    for (const p of this.procs) p.kill();
  }

  private add(p: LocalProcess): LocalProcess {
    this.procs.push(p);
    return p;
  }
}

export interface RecorderStatsLine {
  readonly snapshots: number;
  readonly estimates: number;
  readonly results: number;
  readonly collector: { assembled: number; incomplete: number };
  readonly influx: {
    ready: boolean;
    buffered: number;
    accepted: number;
    written: number;
    dropped: number;
    writeErrors: number;
    lastError?: string;
  } | null;
  readonly recording: { recorded: number; duplicates: number; dropped: number; catalogs: number } | null;
}
