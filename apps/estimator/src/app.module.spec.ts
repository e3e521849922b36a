import path from 'node:path';
import type { INestMicroservice, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@gridcloud/command-line';
import {
  AREA_RESULT_MESSAGE,
  CATALOG_MESSAGE,
  decodeAreaResult,
  encodeCatalog,
  encodeSnapshot,
  ESTIMATORS_GROUP,
  RESULTS_GROUP,
  ResultCollector,
  SNAPSHOT_MESSAGE,
  type SystemEstimate,
} from '@gridcloud/estimation';
import { rectangular, solvePowerFlow } from '@gridcloud/grid';
import { messageHandlerId, VsyncServer } from '@gridcloud/nest-vsync';
import { Group } from '@gridcloud/vsync';
import { AppModule } from './app.module';
import { parseEstimatorOptions } from './config/estimator-options';
import { EstimationService } from './estimation/estimation.service';

const quiet: LoggerService = { log: () => undefined, warn: () => undefined, error: () => undefined };
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c.close();
});

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('AppModule (the estimator, with the real libs and vsync on loopback)', () => {
  it('estimates a snapshot sent to `estimators` after its catalog and publishes both areas to `results`', async () => {
    const port = await freePort();
    const seeds = [`127.0.0.1:${port}`];
    const caseFile = path.resolve('data/cases/case14.m');
    const options = parseEstimatorOptions(
      [
        '--case',
        caseFile,
        '--areas',
        '2',
        '--vsync-port',
        String(port),
        '--vsync-seeds',
        seeds[0],
        '--http-port',
        'off',
      ],
      {},
    );
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(options)] }).compile();
    moduleRef.useLogger(quiet);
    const ms: INestMicroservice = moduleRef.createNestMicroservice({
      strategy: moduleRef.get(VsyncServer),
      logger: quiet,
    });
    closing.push(ms);
    await ms.listen();

    // A stand-in ingest (sender to `estimators`) and results consumer sharing one process.
    const feeder = new Group(ESTIMATORS_GROUP, { seeds, founder: false });
    const results = new Group(RESULTS_GROUP, { process: feeder.process });
    closing.push(feeder, results);
    const collector = new ResultCollector();
    let estimate: SystemEstimate | undefined;
    results.handle(messageHandlerId(AREA_RESULT_MESSAGE), (bytes: Uint8Array) => {
      for (const e of collector.offer(decodeAreaResult(bytes)))
        if (e.type === 'assembled') estimate = e.estimate;
    });
    // A member receives its own sends too; the stand-in ingest has nothing to do with them.
    feeder.handle(messageHandlerId(CATALOG_MESSAGE), () => undefined);
    feeder.handle(messageHandlerId(SNAPSHOT_MESSAGE), () => undefined);
    await feeder.join();
    await results.join();

    // One PMU per bus with its voltage channel, noise-free: the estimate is the power flow itself.
    const net = options.network;
    const v = rectangular(solvePowerFlow(net));
    const ids = Array.from(net.busIds);
    const catalog = {
      version: 1,
      pmus: ids.map((id, b) => ({
        idcode: 100 + b,
        station: `B${id}`,
        cfgcnt: 1,
        channels: [{ name: `V${id}`, isCurrent: false, phunitScale: 1 }],
      })),
    };
    const values = ids.map((_, b) => ({
      idcode: 100 + b,
      stat: 0,
      freqHz: 60,
      phasors: Float64Array.of(v.re[b], v.im[b]),
    }));
    await feeder.send(messageHandlerId(CATALOG_MESSAGE), encodeCatalog(catalog));
    await feeder.send(
      messageHandlerId(SNAPSHOT_MESSAGE),
      encodeSnapshot({ slot: 42, timeSec: 1.4, complete: true, values, missing: [] }, 1),
    );

    const e = await until(() => estimate, 'an assembled estimate');
    expect(e.slot).toBe(42);
    expect(e.areaCount).toBe(2);
    expect(e.unobservableBuses).toBe(0);
    for (let b = 0; b < net.busCount; b += 1) {
      expect(e.vRe[b]).toBeCloseTo(v.re[b], 9);
      expect(e.vIm[b]).toBeCloseTo(v.im[b], 9);
    }
    const stats = moduleRef.get(EstimationService).stats();
    expect(stats).toMatchObject({
      snapshotsReceived: 1,
      areasComputed: 2,
      catalogVersion: 1,
      unmappedChannels: 0,
    });
  }, 30_000);
});
