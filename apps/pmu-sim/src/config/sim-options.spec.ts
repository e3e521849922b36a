import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../errors/sim-config-error';
import { parseSimOptions, parseSimSettings, SIM_USAGE } from './sim-options';

describe('parseSimOptions', () => {
  it('parses outputs, rates and scenario events', () => {
    const o = parseSimOptions([
      '--case',
      'c.m',
      '--fps',
      '60',
      '--tcp',
      '127.0.0.1:0',
      '--udp',
      '127.0.0.1:9000',
      '--trip-line',
      '3@10',
      '--dropout',
      '1000@5-7.5',
      '--gps-unlock=1001@1-2',
    ]);
    expect(o.model.framesPerSecond).toBe(60);
    expect(o.tcp).toEqual({ host: '127.0.0.1', port: 0 });
    expect(o.udpTargets).toEqual([{ host: '127.0.0.1', port: 9000 }]);
    expect(o.model.events).toEqual([
      { kind: 'trip-line', branch: 3, atS: 10 },
      { kind: 'dropout', idcode: 1000, fromS: 5, toS: 7.5 },
      { kind: 'gps-unlock', idcode: 1001, fromS: 1, toS: 2 },
    ]);
  });

  it('reads the default stream format and per-stream ones', () => {
    const o = parseSimOptions([
      '--case',
      'c.m',
      '--tcp',
      '127.0.0.1:0',
      '--phasor-format',
      'polar-float',
      '--digitals',
      'breakers',
      '--stream-format',
      '1003@rect-int16+line-power',
      '--stream-format',
      '1004@polar-int16+breakers+line-power',
    ]);
    expect(o.model.format).toEqual({ phasors: 'polar-float', linePower: false, breakers: true });
    expect([...(o.model.streamFormats ?? [])]).toEqual([
      [1003, { phasors: 'rect-int16', linePower: true, breakers: false }],
      [1004, { phasors: 'polar-int16', linePower: true, breakers: true }],
    ]);
    expect(parseSimOptions(['--case', 'c.m', '--tcp', '127.0.0.1:0']).model.format).toEqual({
      phasors: 'rect-float',
      linePower: false,
      breakers: false,
    });
  });

  it.each([
    [['--tcp', '127.0.0.1:0'], /--case is required/],
    [
      ['--case', 'c.m', '--tcp', '127.0.0.1:0', '--stream-format', '1003@polar-int8'],
      /--stream-format must be STREAM_IDCODE@PHASORS\[\+line-power\]\[\+breakers\] with PHASORS one of rect-float/,
    ],
    [
      [
        '--case',
        'c.m',
        '--tcp',
        '127.0.0.1:0',
        '--stream-format',
        '1@rect-float',
        '--stream-format',
        '1@polar-float',
      ],
      /--stream-format names stream 1 twice/,
    ],
    [['--case', 'c.m', '--tcp', '127.0.0.1:0', '--analogs', 'all'], /--analogs must be one of/],
    [['--case', 'c.m'], /at least one output/],
    [
      ['--case', 'c.m', '--tcp', '127.0.0.1:0', '--fps', '1000'],
      /--fps must be an integer in 1\.\.240 frames\/s, got '1000'/,
    ],
    [['--case', 'c.m', '--tcp', 'nohost'], /--tcp must be host:port/],
    [['--case', 'c.m', '--tcp', '127.0.0.1:0', '--dropout', '1000@7-5'], /--dropout must be IDCODE@FROM-TO/],
    [['--case', 'c.m', '--tcp', '127.0.0.1:0', '--bogus'], /unknown flag --bogus/],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseSimOptions(argv)).toThrow(SimConfigError);
    expect(() => parseSimOptions(argv)).toThrow(message);
  });

  it('reads the cluster settings, with GRIDCLOUD_ variables as fallback', () => {
    const { sim, cluster } = parseSimSettings(
      [
        '--case',
        'c.m',
        '--tcp',
        '127.0.0.1:0',
        '--vsync-seeds',
        '127.0.0.1:7000,127.0.0.1:7001',
        '--duration-s',
        '3',
      ],
      {
        GRIDCLOUD_HTTP_PORT: 'off',
        GRIDCLOUD_VSYNC_PORT: '7005',
        GRIDCLOUD_FPS: '60',
        GRIDCLOUD_PMUS_PER_STREAM: 'all',
      },
    );
    expect(cluster).toEqual({
      vsyncHost: '127.0.0.1',
      vsyncPort: 7005,
      vsyncSeeds: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
      httpPort: null,
      statsIntervalMs: 0,
      durationS: 3,
    });
    expect(sim.durationS).toBe(3);
    expect(sim.model.framesPerSecond).toBe(60);
    expect(sim.model.pmusPerStream).toBe('all');
  });

  it('names the variable when the bad value came from the environment', () => {
    expect(() =>
      parseSimSettings(['--case', 'c.m', '--tcp', '127.0.0.1:0'], { GRIDCLOUD_HTTP_PORT: 'yes' }),
    ).toThrow("GRIDCLOUD_HTTP_PORT must be a port in 0..65535 or off, got 'yes'");
  });

  it('documents every flag in --help', () => {
    for (const flag of [
      '--case',
      '--pmus-per-stream',
      '--phasor-format',
      '--analogs',
      '--digitals',
      '--stream-format',
      '--trip-line',
      '--vsync-seeds',
      '--http-port',
      '--stats-interval-ms',
    ])
      expect(SIM_USAGE).toContain(flag);
  });
});
