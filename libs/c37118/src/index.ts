/**
 * @gridcloud/c37118: IEEE C37.118.2 (2011) and C37.118 (2005) synchrophasor
 * frames. A pure codec (no sockets): object-form encode/decode of every frame
 * type, an allocation-light data-frame view, a push-style stream decoder with
 * resynchronisation and per-frame reject reasons, pcap and pcapng readers (IPv4
 * and IPv6) with TCP reassembly, and a small TCP PMU server / PDC client shell.
 */
export * from './codec/frame-types';
export type { FrameReject, RejectReason } from './codec/reject';
export { REJECT_REASONS } from './codec/reject';
export { crcCcitt } from './codec/crc';
export { decodeTimeQuality, encodeTimeQuality, frameTimeSeconds, LOCKED_TIME } from './codec/common';
export {
  decodeStat,
  encodeStat,
  STAT_CONFIG_CHANGE,
  STAT_DATA_ERROR_MASK,
  STAT_SYNC_LOST,
  type StatFlags,
} from './codec/stat';
export { decodeFormat, encodeFormat } from './codec/config-codec';
export { encodeFrame, commandFrame } from './codec/encode';
export { decodeFrame, decodeFrameOrThrow, type ConfigLookup, type DecodeResult } from './codec/decode';
export { DataLayout } from './codec/data-layout';
export { CONT_IDX_FIRST, CONT_IDX_LAST, CONT_IDX_ONLY } from './codec/config3-codec';
export { decodeConfig3Series, encodeConfig3Series, MAX_CONFIG3_SERIES_FRAMES } from './codec/config3-series';
export {
  Config3Assembler,
  DEFAULT_CONFIG3_ASSEMBLY,
  type AssemblyOutcome,
  type Config3AssemblyOptions,
  type Config3Fragment,
} from './stream/config3-assembler';
export { DataFrameView } from './codec/data-frame-view';
export {
  ConfigBudget,
  ConfigStore,
  configWireBytes,
  DEFAULT_MAX_CONFIG_BYTES,
  type ConfigEntry,
  type ConfigStoreOptions,
} from './stream/config-store';
export {
  StreamDecoder,
  type Config3FragmentInfo,
  type StreamDecoderHandlers,
  type StreamDecoderOptions,
} from './stream/stream-decoder';
export {
  newCounters,
  totalRejected,
  type DecoderCounters,
  type FrameCounts,
  type RejectCounts,
} from './stream/decoder-counters';
export { PcapReader, type PcapPacket, type PcapSummary } from './pcap/pcap-reader';
export {
  decodePacket,
  locateTransport,
  PACKET_SKIPS,
  type PacketSkip,
  type TransportLocation,
  type TransportSegment,
} from './pcap/packet-decoder';
export {
  DEFAULT_MAX_BLOCK_BYTES,
  DEFAULT_PCAPNG_OPTIONS,
  PcapngReader,
  type PcapngInterface,
  type PcapngOptions,
  type PcapngSummary,
} from './pcap/pcapng-reader';
export {
  bufferSource,
  DEFAULT_CAPTURE_READ_OPTIONS,
  openCapture,
  readCapture,
  type CaptureReader,
  type CaptureReadOptions,
  type CaptureSummary,
} from './pcap/capture-reader';
export {
  HeldBytesBudget,
  TcpReassembler,
  type TcpReassemblerOptions,
  type TcpStreamSink,
} from './pcap/tcp-reassembler';
export { PcapStreamReader, DEFAULT_MAX_PACKET_BYTES, type ByteSource } from './pcap/pcap-stream-reader';
export {
  CaptureInspector,
  inspectCapture,
  inspectCaptureStream,
  DEFAULT_INSPECT_OPTIONS,
  type InspectDetails,
  type InspectedFrame,
  type InspectOptions,
  type PacketCounts,
  type InspectReport,
} from './pcap/capture-inspector';
export { FrameFormatError } from './errors/frame-format-error';
export { FrameEncodeError } from './errors/frame-encode-error';
export { C37ConfigError } from './errors/config-error';
export { PcapFormatError } from './errors/pcap-format-error';
export { dataFrameFromMeasurements, type PmuMeasurements } from './codec/measurements';
export { buildConfig, type ConfigSpec, type PmuSpec } from './codec/config-builder';
export {
  PmuSession,
  type PmuIdentity,
  type PmuSessionEffect,
  type PmuSessionEvent,
  type PmuStreams,
  MAX_COMMAND_FRAME_BYTES,
  type FrameTime,
} from './net/pmu-session';
export { PmuServer, type PmuServerCounters, type PmuServerOptions } from './net/pmu-server';
export { systemFrameTime } from './net/system-time';
