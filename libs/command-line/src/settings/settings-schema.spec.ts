import { describe, expect, expectTypeOf, it } from 'vitest';
import { setting } from './setting-kinds';
import { settingsSchema } from './settings-schema';

class TestConfigError extends Error {
  override readonly name = 'TestConfigError';
}

const schema = settingsSchema(
  'usage: sim --case FILE.m [flags]',
  {
    casePath: setting.path({ flag: 'case', doc: 'MATPOWER case file', required: true }),
    fps: setting.int({
      flag: 'fps',
      doc: 'frames per second',
      min: 1,
      max: 240,
      unit: 'frames/s',
      default: 30,
    }),
    sigma: setting.number({ flag: 'noise-sigma-pu', doc: 'noise', min: 0, max: 0.5, default: 0.002 }),
    truth: setting.path({ flag: 'truth', doc: 'where to write the truth' }),
    format: setting.enum({
      flag: 'freq-format',
      doc: 'frequency format',
      values: ['float', 'int16'],
      default: 'float',
    }),
    tcp: setting.hostPort({ flag: 'tcp', doc: 'TCP listener' }),
    seeds: setting.list({ flag: 'vsync-seeds', doc: 'seed addresses' }),
    udp: setting.hostPortList({ flag: 'udp', doc: 'UDP targets' }),
    httpPort: setting.portOrOff({ flag: 'http-port', doc: 'HTTP port', default: 0 }),
    vsyncPort: setting.int({
      flag: 'vsync-port',
      aliases: ['vsync-bind-port'],
      doc: 'vsync port',
      min: 0,
      max: 65_535,
      default: 0,
    }),
    badData: setting.boolean({ flag: 'bad-data', doc: 'remove bad data' }),
  },
  (message) => new TestConfigError(message),
);

const parse = (argv: string[], env: Record<string, string> = {}) => schema.parse(argv, env);

describe('settingsSchema', () => {
  it('parses flags into a typed object with defaults', () => {
    const s = parse(['--case', 'c.m', '--fps=60', '--udp', 'a:1', '--udp', 'b:2,c:3', '--bad-data']);
    expect(s).toEqual({
      casePath: 'c.m',
      fps: 60,
      sigma: 0.002,
      truth: undefined,
      format: 'float',
      tcp: undefined,
      seeds: [],
      udp: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
        { host: 'c', port: 3 },
      ],
      httpPort: 0,
      vsyncPort: 0,
      badData: true,
    });
    expectTypeOf(s.fps).toEqualTypeOf<number>();
    expectTypeOf(s.truth).toEqualTypeOf<string | undefined>();
    expectTypeOf(s.format).toEqualTypeOf<'float' | 'int16'>();
    expectTypeOf(s.httpPort).toEqualTypeOf<number | null>();
    expectTypeOf(s.badData).toEqualTypeOf<boolean>();
  });

  it('falls back to GRIDCLOUD_ variables, and a flag wins over its variable', () => {
    const env = {
      GRIDCLOUD_CASE: 'env.m',
      GRIDCLOUD_FPS: '10',
      GRIDCLOUD_VSYNC_SEEDS: 'h:1, h:2',
      GRIDCLOUD_HTTP_PORT: 'off',
    };
    const s = parse(['--fps', '20'], env);
    expect(s.casePath).toBe('env.m');
    expect(s.fps).toBe(20);
    expect(s.seeds).toEqual(['h:1', 'h:2']);
    expect(s.httpPort).toBeNull();
  });

  it('accepts an alias for an earlier flag name', () => {
    expect(parse(['--case', 'c.m', '--vsync-bind-port', '7001']).vsyncPort).toBe(7001);
  });

  it('names the flag or the variable that is wrong, in the service error', () => {
    const bad =
      (argv: string[], env: Record<string, string> = {}) =>
      () =>
        parse(argv, env);
    expect(bad([])).toThrow(TestConfigError);
    expect(bad([])).toThrow('--case is required: MATPOWER case file');
    expect(bad(['--case', 'c.m', '--fps', '0'])).toThrow(
      "--fps must be an integer in 1..240 frames/s, got '0'",
    );
    expect(bad(['--case', 'c.m', '--fps', '2.5'])).toThrow(/--fps must be an integer/);
    expect(bad(['--case', 'c.m'], { GRIDCLOUD_FPS: 'fast' })).toThrow(
      "GRIDCLOUD_FPS must be an integer in 1..240 frames/s, got 'fast'",
    );
    expect(bad(['--case', 'c.m', '--freq-format', 'double'])).toThrow(
      "--freq-format must be one of float, int16, got 'double'",
    );
    expect(bad(['--case', 'c.m', '--tcp', 'nohost'])).toThrow(/--tcp must be host:port/);
    expect(bad(['--case', 'c.m', '--udp', 'a:1,b:99999'])).toThrow(
      "--udp must be host:port with a port in 0..65535, got 'b:99999'",
    );
    expect(bad(['--case', 'c.m', '--http-port', 'on'])).toThrow(
      "--http-port must be a port in 0..65535 or off, got 'on'",
    );
    expect(bad(['--case', 'c.m', '--vsync-bind-port', '-1'])).toThrow(/^--vsync-bind-port must be/);
    expect(bad(['--case', 'c.m', '--speed', '3'])).toThrow('unknown flag --speed');
    expect(bad(['--case', 'c.m', 'stray'])).toThrow("unexpected argument 'stray'");
    expect(bad(['--case'])).toThrow('--case needs a value');
  });

  it('generates --help from the definitions', () => {
    const help = schema.help();
    expect(help.split('\n')[0]).toBe('usage: sim --case FILE.m [flags]');
    expect(help).toMatch(
      /--fps N +frames per second \(integer 1\.\.240 frames\/s, default 30; GRIDCLOUD_FPS\)/,
    );
    expect(help).toMatch(/--case PATH +MATPOWER case file \(path, required; GRIDCLOUD_CASE\)/);
    expect(help).toContain('also --vsync-bind-port');
    expect(help).toContain('--http-port PORT|off');
    expect(schema.wantsHelp(['--fps', '1', '--help'])).toBe(true);
  });

  it('refuses a schema with a flag defined twice', () => {
    expect(() =>
      settingsSchema(
        'usage',
        { a: setting.string({ flag: 'x', doc: 'a' }), b: setting.string({ flag: 'x', doc: 'b' }) },
        (m) => new Error(m),
      ),
    ).toThrow('--x is defined twice');
  });
});
