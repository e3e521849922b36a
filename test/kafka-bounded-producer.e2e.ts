import { randomUUID } from 'node:crypto';
import { BoundedProducer } from '@gridcloud/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { describeWithServices, services } from './support/services';

describeWithServices('BoundedProducer', ['kafka'], () => {
  const kafka = new Kafka({
    clientId: 'bounded-producer-test',
    brokers: services.kafka.brokers,
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId: `bounded-${randomUUID()}` });

  afterAll(async () => {
    await Promise.allSettled([consumer.disconnect(), admin.disconnect()]);
  });

  it('sends what fits its queue, drops and counts the rest, and delivers the accepted records in order', async () => {
    const topic = `bounded-${randomUUID()}`;
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = new BoundedProducer({
      brokers: services.kafka.brokers,
      clientId: 'bounded',
      topic,
      maxQueueRecords: 2,
    });
    await producer.connect();

    // The first record goes straight into the send in flight; two more fit the
    // queue behind it, the last two find it full.
    const accepted = [0, 1, 2, 3, 4].map((i) => producer.publish({ key: 'k', value: `r${i}` }));
    expect(accepted).toEqual([true, true, true, false, false]);
    await producer.close();
    expect({ sent: producer.sent, dropped: producer.dropped, sendErrors: producer.sendErrors }).toEqual({
      sent: 3,
      dropped: 2,
      sendErrors: 0,
    });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (values.length === 3) resolve();
        },
      });
    });
    expect(values).toEqual(['r0', 'r1', 'r2']);
  });

  it('refuses a queue bound that is not a positive integer, naming it', () => {
    expect(
      () =>
        new BoundedProducer({
          brokers: services.kafka.brokers,
          clientId: 'x',
          topic: 't',
          maxQueueRecords: 0,
        }),
    ).toThrow(/maxQueueRecords must be a positive integer/);
  });
});
