export {
  secretProblem,
  linkKey,
  groupKey,
  deriveKey,
  MIN_SECRET_BYTES,
  MAX_SECRET_BYTES,
  type VsyncSecret,
} from './secret';
export {
  handshakeMac,
  handshakeNonce,
  macMatches,
  sessionKeys,
  HANDSHAKE_NONCE_BYTES,
  HANDSHAKE_MAC_BYTES,
  type SessionKeys,
  type DirectionKey,
} from './link-handshake';
export { FrameSealer, FrameOpener, GCM_TAG_BYTES } from './frame-sealer';
export {
  GroupCipher,
  PayloadSealer,
  PayloadOpener,
  GROUP_SEAL_OVERHEAD_BYTES,
  REPLAY_WINDOW_PAYLOADS,
  SESSION_BYTES,
  type OpenResult,
  type SealSender,
} from './group-seal';
