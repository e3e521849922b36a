import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string): string => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

const alias = {
  '@gridcloud/vsync': lib('vsync'),
  '@gridcloud/vsync-nest': lib('vsync-nest'),
  '@gridcloud/grid': lib('grid'),
  '@gridcloud/c37118': lib('c37118'),
  '@gridcloud/filestore': lib('filestore'),
  '@gridcloud/services': lib('services'),
};

// Unit specs live beside their code; cross-process scenarios and real-service
// integration suites live under test/. The global setup brings up the real
// services (Kafka, Redis, InfluxDB) that the integration project needs.
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
          name: 'integration',
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
