import type { FrameErrorKind } from './errors/frame-error';

/** Counters a transport keeps since it started; read them with TcpTransport.stats(). */
export interface TransportStats {
  framesSent: number;
  framesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  connectionsOpened: number;
  connectionsClosed: number;
  /** Inbound connections refused because maxConnections were open. */
  connectionsRefused: number;
  dialFailures: number;
  /** Messages dropped because the peer's queue held maxQueuedBytesPerPeer. */
  droppedQueueFull: number;
  /** Queued messages discarded when the channel to a peer was cut. */
  droppedOnDisconnect: number;
  /** Queued messages dropped because every queue together held maxQueuedBytesTotal. */
  droppedQueueTotalFull: number;
  /** Accepted connections closed because they did not complete their hello (and, keyed, their proof) in time. */
  handshakeTimeouts: number;
  /** Dials that did not connect (and, keyed, authenticate the acceptor) within connectTimeoutMs. */
  connectTimeouts: number;
  /** Connections closed after idleTimeoutMs without a byte either way. */
  idleClosed: number;
  /** Open inbound connections closed because the address their hello named did not echo the dial-back nonce within
   *  dialBackTimeoutMs: impostors, or peers not reachable at the address they advertise. */
  dialBackTimeouts: number;
  /** Open inbound connections closed, oldest first, to make room for a new claim when maxPendingDialBacks were
   *  waiting for their dial-back. */
  dialBacksEvicted: number;
  /** Inbound connections refused because their peer address already had maxConnectionsPerPeer open. */
  connectionsPerPeerRefused: number;
  /** Connections whose TLS handshake failed (a peer without a certificate of the CA, or not speaking TLS), counted at
   *  the acceptor and the dialer alike. */
  tlsRefused: number;
  /** Connections closed because their bytes were rejected, by reason. */
  rejectedFrames: Record<FrameErrorKind, number>;
}

export function createTransportStats(): TransportStats {
  return {
    framesSent: 0,
    framesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    connectionsRefused: 0,
    dialFailures: 0,
    droppedQueueFull: 0,
    droppedOnDisconnect: 0,
    droppedQueueTotalFull: 0,
    handshakeTimeouts: 0,
    connectTimeouts: 0,
    idleClosed: 0,
    dialBackTimeouts: 0,
    dialBacksEvicted: 0,
    connectionsPerPeerRefused: 0,
    tlsRefused: 0,
    rejectedFrames: {
      badMagic: 0,
      wrongVersion: 0,
      oversize: 0,
      malformed: 0,
      unexpectedHello: 0,
      missingHello: 0,
      undecodableMessage: 0,
      wrongSender: 0,
      unexpectedHandshake: 0,
      keyMismatch: 0,
      authFailed: 0,
      unsealed: 0,
      overBudget: 0,
    },
  };
}
