import { describe, expect, it } from 'vitest';
import { IngestConfigError } from '../errors/ingest-config-error';
import { INGEST_USAGE, parseIngestOptions, parseIngestSettings } from './ingest-options';

describe('parseIngestOptions', () => {
  it('parses TCP targets, UDP, Kafka and alignment bounds', () => {
    const o = parseIngestOptions([
      '--tcp',
      '7@10.0.0.1:4712',
      '--udp',
      '0.0.0.0:4713',
      '--kafka-brokers',
      'k:9092',
      '--kafka-publish-topic',
      'pmu.snapshots',
      '--align-window-ms',
      '40',
      '--fps',
      '60',
    ]);
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
    [
      ['--udp', '127.0.0.1:1', '--reconnect-min-ms', '900', '--reconnect-max-ms', '100'],
      /--reconnect-max-ms/,
    ],
    [
      ['--udp', '127.0.0.1:1', '--max-frame-bytes', '8'],
      /--max-frame-bytes must be an integer in 16\.\.65535 bytes, got '8'/,
    ],
    [['--udp', '127.0.0.1:1', '--workers', '2'], /--workers shares --tcp targets/],
    [['--tcp', '1@127.0.0.1:1', '--workers', '65'], /--workers must be an integer/],
    [['--tcp', '1@127.0.0.1:1', '--region', 'east'], /--region and --merge-regions need --kafka-brokers/],
    [['--merge-regions', 'east,we st', '--kafka-brokers', 'k:9092'], /got "we st"/],
    [['--merge-regions', 'east,east', '--kafka-brokers', 'k:9092'], /names a region twice/],
    [
      ['--merge-regions', 'a,b', '--tcp', '1@127.0.0.1:1', '--kafka-brokers', 'k:9092'],
      /from the regions only/,
    ],
    [
      ['--region', 'a', '--tcp', '1@h:1', '--kafka-brokers', 'k:9092', '--kafka-publish-topic', 's'],
      /belong to the merger/,
    ],
    [['--region', 'a', '--merge-regions', 'a,b', '--kafka-brokers', 'k:9092'], /are two processes/],
    [
      ['--merge-regions', 'a,b', '--kafka-brokers', 'k:9092', '--region-deadline-ms', '-1'],
      /--region-deadline-ms/,
    ],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseIngestOptions(argv)).toThrow(IngestConfigError);
    expect(() => parseIngestOptions(argv)).toThrow(message);
  });

  it('takes --merge-regions as the only source, and a regional PDC with its region and topics', () => {
    const merger = parseIngestOptions(['--merge-regions', 'east,west', '--kafka-brokers', 'k:9092']);
    expect(merger).toMatchObject({
      mergeRegions: ['east', 'west'],
      region: undefined,
      regionTopic: 'pmu.region-snapshots',
      regionCatalogTopic: 'pmu.region-catalogs',
      regionDeadlineMs: 500,
      maxPendingRegionSlots: 256,
    });
    const region = parseIngestOptions(['--region', 'east', '--tcp', '1@h:1', '--kafka-brokers', 'k:9092']);
    expect(region).toMatchObject({ region: 'east', mergeRegions: [] });
  });

  it('keeps --vsync-bind-host/--vsync-bind-port as names of --vsync-host/--vsync-port, and reads GRIDCLOUD_ variables', () => {
    const { ingest, cluster } = parseIngestSettings(
      ['--udp', '127.0.0.1:0', '--vsync-bind-port', '7003', '--vsync-seeds', '127.0.0.1:7000'],
      { GRIDCLOUD_VSYNC_HOST: '127.0.0.2', GRIDCLOUD_STATS_INTERVAL_MS: '500' },
    );
    expect(ingest.vsyncBindPort).toBe(7003);
    expect(ingest.vsyncBindHost).toBe('127.0.0.2');
    expect(ingest.vsyncSeeds).toEqual(['127.0.0.1:7000']);
    expect(ingest.statsIntervalMs).toBe(500);
    expect(cluster.httpPort).toBe(0);
    expect(INGEST_USAGE).toContain('also --vsync-bind-port');
  });
});
