import type { GroupGuard, ProcessId } from '../protocol';
import {
  GROUP_SEAL_OVERHEAD_BYTES,
  GroupCipher,
  PayloadOpener,
  PayloadSealer,
  secretProblem,
  type VsyncSecret,
} from '../security';
import { VsyncOptionsError } from './errors/vsync-options-error';

/** Sender sessions (one per member incarnation) a process remembers per secured group for replay checks. */
export const MAX_SENDER_SESSIONS_PER_GROUP = 4_096;

/** Payloads of secured groups this process sealed, opened, and refused by reason. */
export interface GroupSecurityStats {
  readonly securedGroups: number;
  readonly sealed: number;
  readonly opened: number;
  /** Refused: not sealed at all, sealed under another key (or altered), or a copy of one already opened. */
  readonly refused: { readonly unsealed: number; readonly authFailed: number; readonly replayed: number };
}

interface SecuredGroup {
  readonly secret: VsyncSecret;
  readonly cipher: GroupCipher;
  readonly opener: PayloadOpener;
  sealer: PayloadSealer | undefined;
  sealerIncarnation: number;
}

/**
 * The group keys of one process (Group.setSecure): it seals what this process sends to a secured group and opens what
 * it receives, and it is the core's GroupGuard (join proofs). Every payload of a secured group passes here: multicasts,
 * query requests and value replies, p2p messages and GroupClient calls. Open groups pass untouched.
 */
export class GroupSecurity implements GroupGuard {
  private readonly groups = new Map<string, SecuredGroup>();
  private readonly counts = { sealed: 0, opened: 0, unsealed: 0, authFailed: 0, replayed: 0 };

  secure(group: string, secret: VsyncSecret): void {
    const problem = secretProblem(secret);
    if (problem !== undefined) throw new VsyncOptionsError('groupSecret', `of group "${group}" ${problem}`);
    const cipher = new GroupCipher(group, secret);
    const opener = new PayloadOpener(cipher, MAX_SENDER_SESSIONS_PER_GROUP);
    this.groups.set(group, { secret, cipher, opener, sealer: undefined, sealerIncarnation: 0 });
  }

  secretOf(group: string): VsyncSecret | undefined {
    return this.groups.get(group)?.secret;
  }

  /** Bytes sealing adds to a payload of `group` (0 for an open group). */
  overheadBytes(group: string): number {
    // No secured group (the common case): no lookup on the per-message paths below either.
    if (this.groups.size === 0) return 0;
    return this.groups.has(group) ? GROUP_SEAL_OVERHEAD_BYTES : 0;
  }

  holdsKey(group: string): boolean {
    return this.groups.has(group);
  }

  proof(group: string, self: ProcessId): Uint8Array {
    return this.groups.get(group)?.cipher.joinProof(self) ?? new Uint8Array(0);
  }

  verify(group: string, joiner: ProcessId, proof: Uint8Array): boolean {
    return this.groups.get(group)?.cipher.verifyProof(joiner, proof) ?? false;
  }

  /** The payload as it goes on the wire: sealed under `self`'s key of the group, or as is for an open group. */
  seal(group: string, self: ProcessId, payload: Uint8Array): Uint8Array {
    if (this.groups.size === 0) return payload;
    const g = this.groups.get(group);
    if (g === undefined) return payload;
    // Each incarnation seals under a session of its own, so a restart never reuses a counter under one key.
    if (g.sealer === undefined || g.sealerIncarnation !== self.incarnation) {
      g.sealer = new PayloadSealer(g.cipher, self);
      g.sealerIncarnation = self.incarnation;
    }
    this.counts.sealed += 1;
    return g.sealer.seal(payload);
  }

  /** The plaintext of a payload `sender` sent to `group`, or undefined (counted) when it is not authentic. */
  open(group: string, sender: ProcessId, payload: Uint8Array): Uint8Array | undefined {
    if (this.groups.size === 0) return payload;
    const g = this.groups.get(group);
    if (g === undefined) return payload;
    const result = g.opener.open(sender, payload);
    if (result instanceof Uint8Array) {
      this.counts.opened += 1;
      return result;
    }
    this.counts[result] += 1;
    return undefined;
  }

  stats(): GroupSecurityStats {
    const { sealed, opened, unsealed, authFailed, replayed } = this.counts;
    return { securedGroups: this.groups.size, sealed, opened, refused: { unsealed, authFailed, replayed } };
  }
}
