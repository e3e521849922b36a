import { describe, expect, it } from 'vitest';
import { messageHandlerId } from './message-id';

describe('messageHandlerId', () => {
  it('is FNV-1a 32-bit over UTF-8 (published test vectors)', () => {
    expect(messageHandlerId('')).toBe(0x811c9dc5);
    expect(messageHandlerId('a')).toBe(0xe40c292c);
    expect(messageHandlerId('foobar')).toBe(0xbf9cf968);
  });

  it('gives different ids to the project message names', () => {
    const names = ['snapshot', 'catalog', 'result', 'order', 'event'];
    expect(new Set(names.map(messageHandlerId)).size).toBe(names.length);
  });
});
