import { describe, expect, it } from 'vitest';
import { FrameOpener, FrameSealer } from './frame-sealer';
import { handshakeMac, handshakeNonce, macMatches, sessionKeys } from './link-handshake';
import { groupKey, linkKey, secretProblem } from './secret';

const SECRET = 'a'.repeat(43);
const header = Buffer.from([0x56, 0x53, 2, 8, 0, 0, 0, 21]);

function pair(secret = SECRET): { sealer: FrameSealer; opener: FrameOpener } {
  const dialer = handshakeNonce();
  const acceptor = handshakeNonce();
  const mine = sessionKeys(linkKey(secret), dialer, acceptor);
  const theirs = sessionKeys(linkKey(SECRET), dialer, acceptor);
  return { sealer: new FrameSealer(mine.dialerToAcceptor), opener: new FrameOpener(theirs.dialerToAcceptor) };
}

const sealed = (chunks: Buffer[]): Buffer => Buffer.concat(chunks);

describe('sealed frames', () => {
  it('open in order and only in order: a replayed or skipped frame fails', () => {
    const { sealer, opener } = pair();
    const first = sealed(sealer.seal(header, [Buffer.from('hello')]));
    const second = sealed(sealer.seal(header, [Buffer.from('world')]));
    expect(opener.open(header, first)?.toString()).toBe('hello');
    expect(opener.open(header, first)).toBeUndefined();
    const { sealer: s2, opener: o2 } = pair();
    s2.seal(header, [Buffer.from('skipped')]);
    expect(o2.open(header, sealed(s2.seal(header, [Buffer.from('late')])))).toBeUndefined();
    expect(second.length).toBe(5 + 16);
  });

  it('fail with another key, another header or one flipped bit', () => {
    expect(pair('b'.repeat(43)).opener.open(header, Buffer.alloc(0))).toBeUndefined();
    const wrongKey = pair('b'.repeat(43));
    expect(
      wrongKey.opener.open(header, sealed(wrongKey.sealer.seal(header, [Buffer.from('x')]))),
    ).toBeUndefined();
    const { sealer, opener } = pair();
    const frame = sealed(sealer.seal(header, [Buffer.from('payload')]));
    frame[2] ^= 1;
    expect(opener.open(header, frame)).toBeUndefined();
    const other = pair();
    const good = sealed(other.sealer.seal(header, [Buffer.from('payload')]));
    expect(other.opener.open(Buffer.from([0x56, 0x53, 2, 8, 0, 0, 0, 22]), good)).toBeUndefined();
  });
});

describe('handshake and keys', () => {
  it('a MAC made with another key or for another address does not match', () => {
    const nd = handshakeNonce();
    const na = handshakeNonce();
    const mac = handshakeMac(linkKey(SECRET), 'acceptor', nd, na, '10.0.0.1:7000');
    expect(macMatches(mac, handshakeMac(linkKey(SECRET), 'acceptor', nd, na, '10.0.0.1:7000'))).toBe(true);
    expect(macMatches(mac, handshakeMac(linkKey('b'.repeat(43)), 'acceptor', nd, na, '10.0.0.1:7000'))).toBe(
      false,
    );
    expect(macMatches(mac, handshakeMac(linkKey(SECRET), 'acceptor', nd, na, '10.0.0.2:7000'))).toBe(false);
    expect(macMatches(mac, handshakeMac(linkKey(SECRET), 'dialer', nd, na, '10.0.0.1:7000'))).toBe(false);
  });

  it('derives distinct keys per purpose and refuses short secrets', () => {
    expect(groupKey(SECRET, 'a').equals(groupKey(SECRET, 'b'))).toBe(false);
    expect(linkKey(SECRET).equals(groupKey(SECRET, 'link'))).toBe(false);
    expect(secretProblem('short')).toMatch(/32/);
    expect(secretProblem(42)).toMatch(/string or a Uint8Array/);
    expect(secretProblem(new Uint8Array(32))).toBeUndefined();
  });
});
