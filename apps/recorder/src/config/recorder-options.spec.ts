import { describe, expect, it } from 'vitest';
import { RecorderConfigError } from '../errors/recorder-config-error';
import { parseInfluxUrl, parseRecorderOptions } from './recorder-options';

const CASE = ['--case', 'data/cases/case118.m'];

describe('recorder options', () => {
  it('reads the Influx URL: host, port, database, credentials', () => {
    expect(parseInfluxUrl('http://u:p%40ss@influxdb:8087/grid_1')).toEqual({
      protocol: 'http',
      host: 'influxdb',
      port: 8087,
      database: 'grid_1',
      username: 'u',
      password: 'p@ss',
    });
    expect(parseInfluxUrl('http://influxdb')).toMatchObject({ port: 8086, database: 'gridcloud' });
  });

  it('takes every flag from GRIDCLOUD_ variables too', () => {
    const o = parseRecorderOptions([], {
      GRIDCLOUD_CASE: 'data/cases/case118.m',
      GRIDCLOUD_INFLUX_URL: 'http://influxdb:8086/gridcloud',
      GRIDCLOUD_REDIS_URL: 'redis://redis:6379',
      GRIDCLOUD_AREAS: '3',
    });
    expect(o.influx?.host).toBe('influxdb');
    expect(o.settings.redisUrl).toBe('redis://redis:6379');
    expect(o.worker.areas).toBe(3);
    expect(o.network.busCount).toBe(118);
  });

  it.each([
    [['--influx-url', 'influxdb:8086'], /--influx-url must use http or https/],
    [['--influx-raw-retention', 'week'], /--influx-raw-retention must be an InfluxQL duration/],
    [['--redis-url', 'http://redis'], /--redis-url must be a URL such as redis:\/\/redis:6379/],
    [
      ['--influx-batch-points', '10', '--max-influx-buffer-points', '5'],
      /--max-influx-buffer-points \(5\) must be at least/,
    ],
    [['--areas', '200'], /--areas must be at most the case's 118 buses/],
  ])('refuses %j with one line naming the flag', (argv, message) => {
    expect(() => parseRecorderOptions([...CASE, ...argv], {})).toThrow(RecorderConfigError);
    expect(() => parseRecorderOptions([...CASE, ...argv], {})).toThrow(message);
  });
});
