import { beforeAll, describe, inject } from 'vitest';
import { serviceAddresses } from '../../scripts/services-config.mjs';

export type ServiceName = 'redis' | 'influx' | 'kafka';

export const services = serviceAddresses();

/**
 * A describe block for suites that need real services. The suite fails with the
 * reason the service is missing (and how to install it); it is skipped only when
 * GRIDCLOUD_SKIP_SERVICES=1, which the global setup announces loudly.
 */
export function describeWithServices(title: string, needs: ServiceName[], body: () => void): void {
  const run = inject('servicesSkipped') ? describe.skip : describe;
  run(`${title} [needs ${needs.join(', ')}]`, () => {
    beforeAll(() => {
      const errors = inject('serviceErrors');
      const missing = needs.filter((name) => errors[name] !== undefined);
      if (missing.length > 0) {
        throw new Error(missing.map((name) => errors[name]).join('\n'));
      }
    });
    body();
  });
}
