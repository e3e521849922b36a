import { describe, expect, it } from 'vitest';
import { isoOfNs, parseClock, parseTimeNs } from './time-param';

describe('parseTimeNs', () => {
  it('reads integers with their unit', () => {
    expect(parseTimeNs('at', '1733137200000ms')).toBe(1_733_137_200_000_000_000n);
    expect(parseTimeNs('at', '7ns')).toBe(7n);
    expect(parseTimeNs('at', '3us')).toBe(3_000n);
    expect(parseTimeNs('at', '2s')).toBe(2_000_000_000n);
  });

  it('reads ISO-8601 with zone and up to nine fraction digits', () => {
    expect(parseTimeNs('at', '1970-01-01T00:00:01.000000002Z')).toBe(1_000_000_002n);
    expect(parseTimeNs('at', '1970-01-01T01:00:00.5+01:00')).toBe(500_000_000n);
    expect(isoOfNs(parseTimeNs('at', '2026-12-02T11:00:00.123456789Z'))).toBe(
      '2026-12-02T11:00:00.123456789Z',
    );
  });

  it.each([
    ['1733137200000', 'is not a time'],
    ['-5ms', 'is not a time'],
    ['12h', 'is not a time'],
    ['2026-02-30T00:00:00Z', 'is not a time'],
    ['2026-12-02T11:00:00', 'is not a time'],
    ['2026-12-02T25:00:00Z', 'is not a time'],
    ['1969-12-31T23:59:59Z', 'is not a time'],
    ['99999999999999999999s', 'is after the last time'],
  ])('refuses %s, naming the parameter', (text, why) => {
    expect(() => parseTimeNs('at', text)).toThrow(`at: '${text}' ${why}`);
  });
});

describe('parseClock', () => {
  it('defaults to user and refuses unknown clocks', () => {
    expect(parseClock(undefined)).toBe('user');
    expect(parseClock('server')).toBe('server');
    expect(() => parseClock('wall')).toThrow("clock: 'wall' is not a clock: give user or server");
  });
});
