import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppMetrics } from '@gridcloud/nest-vsync';
import { SIM_CONFIG } from '../config/sim-config.module';
import type { SimSettings } from '../config/sim-options';
import { PmuSimApp } from '../runtime/pmu-sim-app';

/**
 * The simulator inside Nest: PmuSimApp is built with the provider (a bad --case fails the start before any socket
 * opens), started when the application bootstraps and stopped when it shuts down, printing the `stats` and
 * `stopped` JSON lines on stdout.
 */
@Injectable()
export class PmuSimRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly app: PmuSimApp;
  private tcpPort = 0;
  private statsTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(SIM_CONFIG) private readonly settings: SimSettings,
    @Inject(AppMetrics) metrics: AppMetrics,
  ) {
    this.app = new PmuSimApp(settings.sim, (line) => process.stderr.write(`pmu-sim: ${line}\n`));
    metrics.counter('gridcloud_pmu_sim_slots_sent_total', 'frame instants sent', () => this.app.slotsSent);
    metrics.counter(
      'gridcloud_pmu_sim_slots_skipped_total',
      'frame instants skipped after a stall',
      () => this.app.slotsSkipped,
    );
  }

  /** The fields of the `ready` line that belong to the simulator. */
  get ready(): Record<string, unknown> {
    const streams = this.app.sim.streams.map((s) => ({
      idcode: s.idcode,
      pmus: s.pmus.map((p) => p.idcode),
    }));
    return { tcpPort: this.tcpPort, framesPerSecond: this.app.sim.options.framesPerSecond, streams };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.tcpPort = await this.app.start();
    const intervalMs = this.settings.cluster.statsIntervalMs;
    if (intervalMs > 0)
      this.statsTimer = setInterval(
        () => printLine({ event: 'stats', atMs: Date.now(), ...this.app.counters() }),
        intervalMs,
      );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.statsTimer);
    await this.app.stop();
    printLine({ event: 'stopped', ...this.app.counters() });
  }
}

function printLine(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}
