import { describe, expect, it } from 'vitest';
import { IngestConfigError } from '../errors/ingest-config-error';
import { parseIngestOptions } from './ingest-options';

describe('parseIngestOptions', () => {
  it('parses TCP targets, UDP, Kafka and alignment bounds', () => {
    const o = parseIngestOptions(['--tcp', '7@10.0.0.1:4712', '--udp', '0.0.0.0:4713', '--kafka-brokers', 'k:9092', '--kafka-publish-topic', 'pmu.snapshots', '--align-window-ms', '40', '--fps', '60']);
    expect(o.tcpTargets).toEqual([{ idcode: 7, host: '10.0.0.1', port: 4712 }]);
    expect(o.udp).toEqual({ host: '0.0.0.0', port: 4713 });
    expect(o.aligner).toMatchObject({ alignWindowMs: 40, framesPerSecond: 60 });
    expect(o.kafkaPublishTopic).toBe('pmu.snapshots');
  });

  it.each([
    [[], /at least one source/],
    [['--tcp', '127.0.0.1:4712'], /IDCODE@HOST:PORT/],
    [['--udp', '127.0.0.1:1', '--align-window-ms', '-5'], /--align-window-ms must be a number/],
    [['--udp', '127.0.0.1:1', '--kafka-publish-topic', 'x'], /need --kafka-brokers/],
    [['--udp', '127.0.0.1:1', '--reconnect-min-ms', '900', '--reconnect-max-ms', '100'], /--reconnect-max-ms/],
    [['--udp', '127.0.0.1:1', '--max-frame-bytes', '8'], /--max-frame-bytes must be an integer in \[16, 65535\]/],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseIngestOptions(argv)).toThrow(IngestConfigError);
    expect(() => parseIngestOptions(argv)).toThrow(message);
  });
});
