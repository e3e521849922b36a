import { describe, expect, it } from 'vitest';
import { ClientSequences } from './group-client-sequences';

describe('ClientSequences', () => {
  it('delivers each (client, seq) once and drops repeats and older numbers', () => {
    const table = new ClientSequences();
    expect(table.accept(['c#1', 1, 7, ['a']])).toEqual({ handlerId: 7, args: ['a'] });
    expect(table.accept(['c#1', 1, 7, ['a']])).toBeUndefined();
    expect(table.accept(['c#2', 1, 7, ['b']])).toBeDefined();
    expect(table.accept(['c#1', 2, 7, ['c']])).toBeDefined();
    expect(table.isNew('c#1', 2)).toBe(false);
    expect(table.isNew('c#1', 3)).toBe(true);
  });

  it('forgets the stream updated longest ago past its bound', () => {
    const table = new ClientSequences(2);
    table.accept(['a', 5, 1, []]);
    table.accept(['b', 5, 1, []]);
    table.accept(['a', 6, 1, []]);
    table.accept(['c', 5, 1, []]);
    expect(table.isNew('b', 5)).toBe(true);
    expect(table.isNew('a', 6)).toBe(false);
  });

  it('rejects a malformed sequenced call with a typed error', () => {
    expect(() => new ClientSequences().accept(['c', 'x', 1, []])).toThrow(/client, seq, handlerId, args/);
  });
});
