import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string): string => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

const alias = {
  '@gridcloud/vsync': lib('vsync'),
  '@gridcloud/nest-vsync': lib('nest-vsync'),
  '@gridcloud/estimation': lib('estimation'),
  '@gridcloud/supervision': lib('supervision'),
  '@gridcloud/grid': lib('grid'),
  '@gridcloud/c37118': lib('c37118'),
  '@gridcloud/pdc': lib('pdc'),
  '@gridcloud/command-line': lib('command-line'),
  '@gridcloud/kafka': lib('kafka'),
  '@gridcloud/filestore': lib('filestore'),
  '@gridcloud/services': lib('services'),
};

// Unit specs (*.spec.ts) live beside their code. Under test/: cross-process
// scenarios that need only this machine's OS processes (*.proc.ts), and suites
// against the real external services (*.e2e.ts), whose global setup brings up
// Kafka, Redis and InfluxDB through scripts/services.mjs.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias },
  test: {
    passWithNoTests: false,
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'scripts/**/*.spec.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'process',
          include: ['test/**/*.proc.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'services',
          include: ['test/**/*.e2e.ts'],
          globalSetup: ['./test/support/services-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
