import { describe, expect, it } from 'vitest';
import { flagParser } from './flag-parser';

class ExampleConfigError extends Error {}

const { parseFlags, numberFlag, stringFlag, parseHostPort } = flagParser((m) => new ExampleConfigError(m));

describe('flagParser', () => {
  it('reads --name value, --name=value, bare flags and repeated flags', () => {
    const f = parseFlags(
      ['--tcp', 'a:1', '--tcp=b:2', '--verbose', '--fps', '60'],
      ['tcp', 'verbose', 'fps'],
    );
    expect(f.get('tcp')).toEqual(['a:1', 'b:2']);
    expect(stringFlag(f, 'verbose')).toBe('true');
    expect(numberFlag(f, 'fps', 30, 1, 240, true)).toBe(60);
    expect(numberFlag(f, 'missing', 7, 0, 10)).toBe(7);
  });

  it("throws the service's own error type, naming the flag and what was expected", () => {
    expect(() => parseFlags(['--nope', '1'], ['fps'])).toThrow(/unknown flag --nope; known flags: --fps/);
    expect(() => parseFlags(['stray'], ['fps'])).toThrow(ExampleConfigError);
    const f = parseFlags(['--fps', '0.5'], ['fps']);
    expect(() => numberFlag(f, 'fps', 30, 1, 240, true)).toThrow(
      "--fps must be an integer in [1, 240], got '0.5'",
    );
    expect(() => parseHostPort('localhost', 'udp')).toThrow(ExampleConfigError);
    expect(parseHostPort('127.0.0.1:4712', 'udp')).toEqual({ host: '127.0.0.1', port: 4712 });
  });
});
