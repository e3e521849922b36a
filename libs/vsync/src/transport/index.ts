export { TcpTransport, type MessageHandler } from './tcp-transport';
export type { OutgoingMessage } from './frame-format';
export { resolveTransportConfig, DEFAULT_TRANSPORT_CONFIG, type TransportConfig } from './transport-config';
export type { TransportStats } from './transport-stats';
export { parseAddress, formatAddress, type HostPort } from './address';
export { TransportConfigError } from './errors/transport-config-error';
export { FrameError, type FrameErrorKind } from './errors/frame-error';
export { MessageTooLargeError } from './errors/message-too-large-error';
export { AddressError } from './errors/address-error';
