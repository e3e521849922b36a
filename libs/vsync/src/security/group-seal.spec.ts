import { describe, expect, it } from 'vitest';
import { GroupCipher, PayloadOpener, PayloadSealer, REPLAY_WINDOW_PAYLOADS } from './group-seal';

const KEY = 'k'.repeat(40);
const alice = { address: '127.0.0.1:7001', incarnation: 3 };
const mallory = { address: '127.0.0.1:7009', incarnation: 1 };
const text = (bytes: unknown): string => Buffer.from(bytes as Uint8Array).toString();

describe('sealed group payloads', () => {
  it('open once under the group key from the sender that sealed them; a replay, an alteration or another key fail', () => {
    const cipher = new GroupCipher('vault', KEY);
    const sealer = new PayloadSealer(cipher, alice);
    const opener = new PayloadOpener(cipher, 16);
    const sealed = sealer.seal(Buffer.from('secret'));
    expect(sealed.includes(Buffer.from('secret'))).toBe(false);
    expect(text(opener.open(alice, sealed))).toBe('secret');
    expect(opener.open(alice, sealed)).toBe('replayed');
    const altered = Buffer.from(sealer.seal(Buffer.from('x')));
    altered[altered.length - 1] ^= 1;
    expect(opener.open(alice, altered)).toBe('authFailed');
    expect(opener.open(mallory, sealer.seal(Buffer.from('x')))).toBe('authFailed');
    const foreign = new PayloadSealer(new GroupCipher('vault', 'w'.repeat(40)), mallory).seal(
      Buffer.from('x'),
    );
    expect(opener.open(mallory, foreign)).toBe('authFailed');
    expect(
      new PayloadOpener(new GroupCipher('other', KEY), 16).open(alice, sealer.seal(Buffer.from('x'))),
    ).toBe('authFailed');
    expect(opener.open(alice, Buffer.from('plain'))).toBe('unsealed');
  });

  it('accepts out-of-order payloads within the replay window and refuses those behind it', () => {
    const cipher = new GroupCipher('vault', KEY);
    const sealer = new PayloadSealer(cipher, alice);
    const opener = new PayloadOpener(cipher, 16);
    const first = sealer.seal(Buffer.from('first'));
    const later = Array.from({ length: 10 }, (_, i) => sealer.seal(Buffer.from(`m${i}`)));
    expect(text(opener.open(alice, later[9]))).toBe('m9');
    expect(text(opener.open(alice, first))).toBe('first');
    expect(opener.open(alice, first)).toBe('replayed');
    const old = sealer.seal(Buffer.from('old'));
    for (let i = 0; i < REPLAY_WINDOW_PAYLOADS; i++) sealer.seal(Buffer.from(''));
    expect(text(opener.open(alice, sealer.seal(Buffer.from('new'))))).toBe('new');
    expect(opener.open(alice, old)).toBe('replayed');
  });

  it('binds a join proof to the group key and the joiner identity', () => {
    const cipher = new GroupCipher('vault', KEY);
    const proof = cipher.joinProof(alice);
    expect(cipher.verifyProof(alice, proof)).toBe(true);
    expect(cipher.verifyProof(mallory, proof)).toBe(false);
    expect(cipher.verifyProof({ ...alice, incarnation: 4 }, proof)).toBe(false);
    expect(new GroupCipher('vault', 'w'.repeat(40)).verifyProof(alice, proof)).toBe(false);
    expect(cipher.verifyProof(alice, new Uint8Array(0))).toBe(false);
  });
});
