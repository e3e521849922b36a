import { describe, expect, it } from 'vitest';
import { FileStoreConfigError } from '../errors/filestore-config-error';
import { parseFileStoreSettings } from './filestore-settings';

describe('filestore settings', () => {
  it('reads flags, then GRIDCLOUD_* variables, then defaults', () => {
    const s = parseFileStoreSettings(['--data-dir', '/tmp/fs', '--durable'], { GRIDCLOUD_ACK_REPLICAS: '3' });
    expect(s).toMatchObject({ dataDir: '/tmp/fs', durable: true, ackReplicas: 3, maxBatchRecords: 10_000 });
  });

  it.each([
    [[], '--data-dir is required'],
    [['--data-dir', 'd', '--ack-replicas', '0'], '--ack-replicas must be an integer in 1..64'],
    [
      ['--data-dir', 'd', '--max-batch-bytes', '4000000'],
      '--max-batch-bytes must be an integer in 1024..3145728',
    ],
    [
      ['--data-dir', 'd', '--failure-timeout-ms', '100', '--heartbeat-interval-ms', '100'],
      '--failure-timeout-ms must exceed',
    ],
  ])('refuses %j, naming the flag', (argv, message) => {
    expect(() => parseFileStoreSettings(argv, {})).toThrow(FileStoreConfigError);
    expect(() => parseFileStoreSettings(argv, {})).toThrow(message);
  });
});
