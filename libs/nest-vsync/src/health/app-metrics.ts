import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Metric names are snake_case Prometheus names; a clash is a programming error caught at start. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * The app's Prometheus registry, served at GET /metrics: Node's process figures, vsync's (VsyncMetrics) and the
 * app's own. Each app has its own registry (not prom-client's global one), so several apps share a test process.
 * Figures are read when scraped, from functions the app registers, so the app keeps its counters where they live.
 */
@Injectable()
export class AppMetrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A value that goes up and down, read at each scrape. */
  gauge(name: string, help: string, read: () => number): void {
    checkName(name);
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A cumulative count kept elsewhere (e.g. an app's counters object), read at each scrape; a drop is a restart. */
  counter(name: string, help: string, read: () => number): void {
    checkName(name);
    let last = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const now = read();
        if (now < last) {
          this.reset();
          last = 0;
        }
        this.inc(now - last);
        last = now;
      },
    });
  }

  /** A gauge per label value, e.g. members per group; `read` returns every series at each scrape. */
  labelledGauge(name: string, help: string, label: string, read: () => ReadonlyMap<string, number>): void {
    checkName(name);
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [value, figure] of read()) this.set({ [label]: value }, figure);
      },
    });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

function checkName(name: string): void {
  if (!METRIC_NAME.test(name))
    throw new Error(`metric name '${name}' is not a Prometheus name (${METRIC_NAME})`);
}
