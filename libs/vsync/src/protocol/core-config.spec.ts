import { describe, expect, it } from 'vitest';
import { resolveCoreConfig } from './core-config';

const self = { address: 'a:1', incarnation: 7 };

describe('resolveCoreConfig founding', () => {
  it('lets the first seed found only if no running system answers, whatever its incarnation', () => {
    expect(resolveCoreConfig({ self, seeds: ['a:1', 'b:1'] }).founding).toBe('unlessLive');
    expect(resolveCoreConfig({ self: { ...self, incarnation: 1 }, seeds: ['a:1', 'b:1'] }).founding).toBe(
      'unlessLive',
    );
  });

  it('founds at once when told to or alone in its seed list, and never when not the first seed or told not to', () => {
    expect(resolveCoreConfig({ self, seeds: ['a:1'] }).founding).toBe('now');
    expect(resolveCoreConfig({ self, seeds: ['a:1', 'b:1'], founder: true }).founding).toBe('now');
    expect(resolveCoreConfig({ self, seeds: ['b:1', 'a:1'] }).founding).toBe('never');
    expect(resolveCoreConfig({ self, seeds: ['a:1', 'b:1'], founder: false }).founding).toBe('never');
  });

  it('refuses a found delay shorter than one join retry, naming the bound', () => {
    expect(() => resolveCoreConfig({ self, seeds: ['a:1'], foundAfterMs: 100, joinRetryMs: 300 })).toThrow(
      /foundAfterMs/,
    );
  });
});
