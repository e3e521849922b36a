/**
 * The pipeline the estimator end-to-end tests share: one estimator, a `results` consumer collecting every area
 * result and assembled estimate, pmu-sim writing its truth, and ingest aligning the simulator's streams into the
 * estimator's group for a fixed time. Each test gives the case and the flags that make its scenario.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@gridcloud/command-line';
import { type AreaResult, type SystemEstimate } from '@gridcloud/estimation';
import { LocalProcess } from '@gridcloud/supervision';
import { ESTIMATOR_ENTRY, INGEST_ENTRY, PMU_SIM_ENTRY } from './app-entries';
import { casePath } from './data-files';
import { ResultsConsumer } from './estimation-results';

export interface EstimatorPipelineOptions {
  readonly caseName: string;
  /** The estimator's flags beyond --case and the vsync/http ones. */
  readonly estimatorFlags: readonly string[];
  /** pmu-sim's flags beyond --case, --tcp, --fps and --truth. */
  readonly simFlags: readonly string[];
  /** How long ingest streams snapshots before it stops. */
  readonly ingestDurationS: number;
  /** How long to wait after ingest stopped for the last results to arrive. */
  readonly settleMs: number;
}

export interface EstimatorPipelineRun {
  readonly results: readonly AreaResult[];
  readonly estimates: readonly SystemEstimate[];
  readonly truthFile: string;
}

/** Owns the processes, the consumer and the temporary folder of one test file; `close` releases them all. */
export class EstimatorPipeline {
  private readonly procs: LocalProcess[] = [];
  private readonly dir: string;
  private consumer: ResultsConsumer | undefined;

  constructor(name: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `gridcloud-${name}-`));
  }

  async run(o: EstimatorPipelineOptions): Promise<EstimatorPipelineRun> {
    const port = await freePort();
    const seeds = `127.0.0.1:${port}`;
    const estimator = this.start(ESTIMATOR_ENTRY, [
      ...['--case', casePath(o.caseName), ...o.estimatorFlags],
      ...['--vsync-port', String(port), '--vsync-seeds', seeds, '--http-port', 'off'],
    ]);
    await estimator.waitFor((l) => l.event === 'ready', 'estimator ready');

    const consumer = new ResultsConsumer(seeds);
    this.consumer = consumer;
    await consumer.join();

    const truthFile = path.join(this.dir, 'truth.jsonl');
    const sim = this.start(PMU_SIM_ENTRY, [
      ...['--case', casePath(o.caseName), '--tcp', '127.0.0.1:0', '--fps', '30', '--truth', truthFile],
      ...o.simFlags,
    ]);
    const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
      tcpPort: number;
      streams: { idcode: number }[];
    };
    const ingest = this.start(INGEST_ENTRY, [
      ...ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
      ...['--fps', '30', '--vsync-seeds', seeds, '--duration-s', String(o.ingestDurationS)],
    ]);
    await ingest.waitFor((l) => l.event === 'stopped', 'ingest report');
    await new Promise((resolve) => setTimeout(resolve, o.settleMs));
    await sim.stop();
    return { results: consumer.results, estimates: [...consumer.estimates.values()], truthFile };
  }

  async close(): Promise<void> {
    await this.consumer?.close();
    for (const p of this.procs) p.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private start(entry: string, args: string[]): LocalProcess {
    const p = LocalProcess.tsx(entry, args);
    this.procs.push(p);
    return p;
  }
}
