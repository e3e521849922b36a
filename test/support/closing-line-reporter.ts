import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line `N passed, N failed` that CI reads, because
 * vitest's own summary is not machine-read. A run that executed no test, or
 * that ended with unhandled errors, counts as failed so it can never look green.
 */
export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failedHere += 1;
        else skipped += 1;
      }
      // A module that failed to load, or whose setup hook threw, has no failed
      // test of its own but must still count as a failure.
      failed += module.state() === 'failed' && failedHere === 0 ? 1 : failedHere;
    }
    failed += unhandledErrors.length;
    if (passed + failed === 0) {
      failed = 1;
      process.stdout.write('no test was executed: counting the run as failed\n');
      process.exitCode = 1;
    }
    if (process.env.GRIDCLOUD_SKIP_SERVICES === '1') {
      process.stdout.write(
        'WARNING: GRIDCLOUD_SKIP_SERVICES=1: suites needing Kafka, Redis or InfluxDB were skipped\n',
      );
    }
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`);
  }
}
