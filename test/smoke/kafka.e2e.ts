import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { describeWithServices, services } from '../support/services';

describeWithServices('Kafka smoke', ['kafka'], () => {
  const kafka = new Kafka({
    clientId: 'gridcloud-smoke',
    brokers: services.kafka.brokers,
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });

  afterAll(async () => {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  });

  it('round-trips keyed messages through a topic to a consumer group', async () => {
    const topic = `smoke-${randomUUID()}`;
    await admin.connect();
    // Created explicitly: broker-side auto-creation races kafkajs' first metadata request.
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
      true,
    );

    const sent = Array.from({ length: 12 }, (_, i) => ({ key: `pmu-${i % 4}`, value: `frame-${i}` }));
    await producer.connect();
    await producer.send({ topic, messages: sent });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ key: string; value: string; partition: number }> = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: String(message.key), value: String(message.value), partition });
          if (received.length === sent.length) resolve();
        },
      });
    });

    expect(
      received.map(({ key, value }) => ({ key, value })).sort((a, b) => a.value.localeCompare(b.value)),
    ).toEqual([...sent].sort((a, b) => a.value.localeCompare(b.value)));
    // Messages with one key stay in one partition, in the order they were sent.
    for (const key of new Set(sent.map((m) => m.key))) {
      const ofKey = received.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => m.value)).toEqual(sent.filter((m) => m.key === key).map((m) => m.value));
    }
  });
});
