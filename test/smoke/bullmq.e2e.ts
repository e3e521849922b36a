import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, expect, it } from 'vitest';
import { describeWithServices, services } from '../support/services';

describeWithServices('BullMQ smoke', ['redis'], () => {
  const connection = { host: services.redis.host, port: services.redis.port, maxRetriesPerRequest: null };
  const name = `smoke-${randomUUID()}`;
  const closers: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('runs a job on a worker that reports progress and completes', async () => {
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    closers.push(() => queue.obliterate({ force: true }).then(() => queue.close()));
    closers.push(() => events.close());
    await events.waitUntilReady();

    const worker = new Worker<{ frames: number[] }, { sum: number }>(
      name,
      async (job) => {
        await job.updateProgress(50);
        const sum = job.data.frames.reduce((a, b) => a + b, 0);
        await job.updateProgress(100);
        return { sum };
      },
      { connection },
    );
    closers.push(() => worker.close());

    const progress: unknown[] = [];
    events.on('progress', ({ data }) => progress.push(data));
    const job = await queue.add('replay', { frames: [1, 2, 3, 4] });
    const result = await job.waitUntilFinished(events, 30_000);

    expect(result).toEqual({ sum: 10 });
    expect(await queue.getJobState(job.id!)).toBe('completed');
    expect(progress).toEqual([50, 100]);
  });
});
