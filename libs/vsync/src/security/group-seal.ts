import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { macMatches } from './link-handshake';
import { groupKey, KEY_BYTES, type VsyncSecret } from './secret';

/** First byte of every sealed group payload; a payload that does not start with it is not sealed. */
export const GROUP_SEAL_VERSION = 1;
export const SESSION_BYTES = 8;
const COUNTER_BYTES = 8;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + SESSION_BYTES + COUNTER_BYTES;
/** Bytes a sealed payload adds: version, session, counter, GCM tag. */
export const GROUP_SEAL_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;
/** A sender seals at most this many payloads per session (a new session starts with the next incarnation). */
const MAX_SEALED_PAYLOADS = 2 ** 48;
/** Payloads a receiver accepts out of order within one sender's session (p2p messages and replies are not ordered
 *  with multicasts); anything older than this far behind the newest is refused as a possible replay. */
export const REPLAY_WINDOW_PAYLOADS = 4_096;

/** Who sealed a payload: the process identity the core authenticated as its sender. */
export interface SealSender {
  readonly address: string;
  readonly incarnation: number;
}

export type OpenResult = Buffer | 'unsealed' | 'authFailed' | 'replayed';

/**
 * The key of one group, derived from the group's secret with HKDF (`groupKey`), and what it proves:
 *
 * - a join proof: an HMAC over the group name and the joiner's identity, which members check before they sponsor a
 *   join (protocol/gms/group-admission.ts). It is bound to the identity, so a copy is worth nothing to anyone else;
 * - sealed payloads: AES-256-GCM under a key per sender and session, derived from the group key, the sender's identity
 *   and a random session id, so no two senders (nor two runs of one sender) ever share a key, and the nonce is the
 *   sender's counter within its session: never reused.
 */
export class GroupCipher {
  private readonly key: Buffer;

  constructor(
    readonly group: string,
    secret: VsyncSecret,
  ) {
    this.key = groupKey(secret, group);
  }

  joinProof(member: SealSender): Buffer {
    return createHmac('sha256', this.key)
      .update(`vsync join proof\0${this.group}\0${member.address}\0${member.incarnation}`)
      .digest();
  }

  verifyProof(member: SealSender, proof: Uint8Array): boolean {
    return macMatches(this.joinProof(member), proof);
  }

  senderKey(sender: SealSender, session: Uint8Array): Buffer {
    const info = `vsync group sender\0${sender.address}\0${sender.incarnation}`;
    return Buffer.from(hkdfSync('sha256', this.key, session, info, KEY_BYTES));
  }
}

function gcmNonce(counter: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 6, 6);
  return nonce;
}

/** Seals the payloads one process sends to one group. */
export class PayloadSealer {
  private readonly session: Buffer;
  private readonly key: Buffer;
  private counter = 0;

  /** `session` is drawn at random unless given (the simulator derives it from the seed, so runs replay exactly). */
  constructor(cipher: GroupCipher, self: SealSender, session: Uint8Array = randomBytes(SESSION_BYTES)) {
    if (session.length !== SESSION_BYTES) throw new RangeError(`a seal session is ${SESSION_BYTES} bytes`);
    this.session = Buffer.from(session);
    this.key = cipher.senderKey(self, this.session);
  }

  seal(payload: Uint8Array): Buffer {
    if (this.counter >= MAX_SEALED_PAYLOADS) throw new RangeError('sealed payload counter exhausted');
    const header = Buffer.alloc(HEADER_BYTES);
    header[0] = GROUP_SEAL_VERSION;
    this.session.copy(header, 1);
    header.writeUIntBE(this.counter, 1 + SESSION_BYTES + 2, 6);
    const cipher = createCipheriv('aes-256-gcm', this.key, gcmNonce(this.counter++));
    cipher.setAAD(header);
    const body = cipher.update(payload);
    const rest = cipher.final();
    return Buffer.concat([header, body, rest, cipher.getAuthTag()]);
  }
}

/** One sender session's accepted counters: the newest, and a bitmap of the REPLAY_WINDOW_PAYLOADS below it. */
class ReplayWindow {
  private newest = -1;
  private readonly seen = new Uint8Array(REPLAY_WINDOW_PAYLOADS / 8);

  fresh(counter: number): boolean {
    if (counter > this.newest) return true;
    if (this.newest - counter >= REPLAY_WINDOW_PAYLOADS) return false;
    return (this.seen[(counter % REPLAY_WINDOW_PAYLOADS) >> 3] & (1 << (counter & 7))) === 0;
  }

  mark(counter: number): void {
    for (let c = Math.max(this.newest + 1, counter - REPLAY_WINDOW_PAYLOADS + 1); c < counter; c++)
      this.clear(c);
    if (counter > this.newest) this.newest = counter;
    this.seen[(counter % REPLAY_WINDOW_PAYLOADS) >> 3] |= 1 << (counter & 7);
  }

  private clear(counter: number): void {
    this.seen[(counter % REPLAY_WINDOW_PAYLOADS) >> 3] &= ~(1 << (counter & 7));
  }
}

interface SenderSession {
  readonly key: Buffer;
  readonly window: ReplayWindow;
}

/** Opens the payloads one process receives in one group, refusing altered, foreign and replayed ones. Sender sessions
 *  are kept for at most `maxSenderSessions` (oldest forgotten first): one forgotten and then replayed is still
 *  delivered at most once, since the core never delivers a message twice. */
export class PayloadOpener {
  private readonly sessions = new Map<string, SenderSession>();

  constructor(
    private readonly cipher: GroupCipher,
    private readonly maxSenderSessions: number,
  ) {}

  open(sender: SealSender, sealed: Uint8Array): OpenResult {
    if (sealed.length < GROUP_SEAL_OVERHEAD_BYTES || sealed[0] !== GROUP_SEAL_VERSION) return 'unsealed';
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
    const session = bytes.subarray(1, 1 + SESSION_BYTES);
    const counter = bytes.readUIntBE(1 + SESSION_BYTES + 2, 6);
    const id = `${sender.address}/${sender.incarnation}/${session.toString('hex')}`;
    const known = this.sessions.get(id);
    if (known !== undefined && !known.window.fresh(counter)) return 'replayed';
    // A session is remembered only once one of its payloads proved authentic: forgeries take no room.
    const state = known ?? { key: this.cipher.senderKey(sender, session), window: new ReplayWindow() };
    const plain = decrypt(state.key, counter, bytes);
    if (plain === undefined) return 'authFailed';
    state.window.mark(counter);
    if (known === undefined) this.remember(id, state);
    return plain;
  }

  private remember(id: string, state: SenderSession): void {
    if (this.sessions.size >= this.maxSenderSessions)
      this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(id, state);
  }
}

function decrypt(key: Buffer, counter: number, bytes: Buffer): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, gcmNonce(counter));
  decipher.setAAD(bytes.subarray(0, HEADER_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const plain = decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES));
  try {
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch {
    return undefined;
  }
}
