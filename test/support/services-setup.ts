import type { TestProject } from 'vitest/node';
import { down, serviceNames, up } from '../../scripts/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why each service could not be brought up, by service name; empty when all are ready. */
    serviceErrors: Record<string, string>;
    servicesSkipped: boolean;
  }
}

/**
 * Brings up Redis, InfluxDB and Kafka for the `services` project, one at a time
 * so that one missing service fails only the suites that need it, and stops
 * afterwards exactly the ones it started.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const skipped = process.env.GRIDCLOUD_SKIP_SERVICES === '1';
  project.provide('servicesSkipped', skipped);
  project.provide('serviceErrors', {});
  if (skipped) {
    const banner = '!'.repeat(78);
    process.stdout.write(
      `\n${banner}\nGRIDCLOUD_SKIP_SERVICES=1: SKIPPING every suite that needs ${serviceNames.join(', ')}.\n` +
        `These results do not cover the Kafka, Redis and InfluxDB integration.\n${banner}\n\n`,
    );
    return async () => {};
  }
  const started: string[] = [];
  const errors: Record<string, string> = {};
  for (const name of serviceNames) {
    try {
      started.push(...(await up([name])).started);
    } catch (error) {
      errors[name] = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `services: ${name} is unavailable; the suites that need it will fail:\n${errors[name]}\n`,
      );
    }
  }
  project.provide('serviceErrors', errors);
  return async () => {
    await down(started);
  };
}
