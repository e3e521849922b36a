import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../errors/sim-config-error';
import { parseSimOptions } from './sim-options';

describe('parseSimOptions', () => {
  it('parses outputs, rates and scenario events', () => {
    const o = parseSimOptions(['--case', 'c.m', '--fps', '60', '--tcp', '127.0.0.1:0', '--udp', '127.0.0.1:9000', '--trip-line', '3@10', '--dropout', '1000@5-7.5', '--gps-unlock=1001@1-2']);
    expect(o.model.framesPerSecond).toBe(60);
    expect(o.tcp).toEqual({ host: '127.0.0.1', port: 0 });
    expect(o.udpTargets).toEqual([{ host: '127.0.0.1', port: 9000 }]);
    expect(o.model.events).toEqual([
      { kind: 'trip-line', branch: 3, atS: 10 },
      { kind: 'dropout', idcode: 1000, fromS: 5, toS: 7.5 },
      { kind: 'gps-unlock', idcode: 1001, fromS: 1, toS: 2 },
    ]);
  });

  it.each([
    [['--tcp', '127.0.0.1:0'], /--case is required/],
    [['--case', 'c.m'], /at least one output/],
    [['--case', 'c.m', '--tcp', '127.0.0.1:0', '--fps', '1000'], /--fps must be an integer in \[1, 240\]/],
    [['--case', 'c.m', '--tcp', 'nohost'], /--tcp must be host:port/],
    [['--case', 'c.m', '--tcp', '127.0.0.1:0', '--dropout', '1000@7-5'], /--dropout must be IDCODE@FROM-TO/],
    [['--case', 'c.m', '--tcp', '127.0.0.1:0', '--bogus'], /unknown flag --bogus/],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseSimOptions(argv)).toThrow(SimConfigError);
    expect(() => parseSimOptions(argv)).toThrow(message);
  });
});
