import type { DataFrameView } from '../codec/data-frame-view';
import type { Frame, FrameKind } from '../codec/frame-types';
import { REJECT_REASONS, type FrameReject } from '../codec/reject';
import { ConfigStore } from '../stream/config-store';
import { newCounters, totalRejected, type FrameCounts, type RejectCounts } from '../stream/decoder-counters';
import { StreamDecoder, type Config3FragmentInfo } from '../stream/stream-decoder';
import { openCapture, readCapture, type CaptureReader } from './capture-reader';
import { decodePacket, PACKET_SKIPS, type PacketSkip, type TransportSegment } from './packet-decoder';
import { DEFAULT_MAX_PACKET_BYTES, type ByteSource } from './pcap-stream-reader';
import { DEFAULT_MAX_BLOCK_BYTES } from './pcapng-reader';
import { StationNames } from './station-names';
import { HeldBytesBudget, TcpReassembler } from './tcp-reassembler';

export interface InspectOptions {
  readonly maxFrameBytes: number;
  readonly maxOutOfOrderBytes: number;
  readonly maxConfigs: number;
  /** Most distinct TCP directions and UDP flows followed; a bound for hostile captures. */
  readonly maxFlows: number;
  /** Most distinct station names listed; a capture can rename its PMUs in every configuration. */
  readonly maxStations: number;
  /** Largest packet record read from a streamed capture, in bytes. */
  readonly maxPacketBytes: number;
  /** Largest pcapng block (packet, headers and options), in bytes. */
  readonly maxBlockBytes: number;
  /** Out-of-order TCP bytes held over all flows together (each flow also within `maxOutOfOrderBytes`). */
  readonly maxHeldBytes: number;
}

export const DEFAULT_INSPECT_OPTIONS: InspectOptions = {
  maxFrameBytes: 65535,
  maxOutOfOrderBytes: 1 << 20,
  maxConfigs: 4096,
  maxFlows: 4096,
  maxStations: 65536,
  maxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
  maxBlockBytes: DEFAULT_MAX_BLOCK_BYTES,
  maxHeldBytes: 64 * 1024 * 1024,
};

/** The summary `gridcloud c37 inspect --json` prints. Times are UNIX seconds of data frames. */
export interface InspectReport {
  readonly frames: FrameCounts;
  readonly crcErrors: number;
  readonly rejected: number;
  readonly idcodes: number[];
  readonly stations: string[];
  readonly dataRate: number | null;
  readonly firstTime: number | null;
  readonly lastTime: number | null;
}

export interface PacketCounts {
  total: number;
  tcp: number;
  udp: number;
  /** Packets over IPv6 among the TCP and UDP ones. */
  ipv6: number;
  skipped: number;
  /** Why packets were skipped: link type not read, not IP, IP fragment (refused), not TCP or UDP, cut short. */
  readonly skippedBy: Record<PacketSkip, number>;
  flowsDropped: number;
}

export interface InspectDetails {
  readonly report: InspectReport;
  readonly rejects: RejectCounts;
  readonly captureFormat: 'pcap' | 'pcapng';
  readonly packets: PacketCounts;
  /** Flows that never carried a valid frame: other protocols, whose bytes are not counted as rejects. */
  readonly otherFlows: number;
  readonly retransmittedFrames: number;
  readonly tcp: { retransmittedBytes: number; outOfOrderSegments: number; gaps: number; gapBytes: number };
  readonly captureTruncated: boolean;
  /** Station names left out of the list once it held `maxStations` (counted each time one is seen). */
  readonly stationsDropped: number;
  /** Station-list entries examined while inspecting: one per station name in a configuration frame. */
  readonly stationEntriesExamined: number;
}

/** One frame as the inspector counted it: the 1-based number of the packet that completed it, and its header. */
export interface InspectedFrame {
  readonly packet: number;
  readonly kind: FrameKind;
  readonly idcode: number;
  readonly soc: number;
  readonly fracsec: number;
}

interface Flow {
  readonly decoder: StreamDecoder;
  readonly tcp?: TcpReassembler;
  /** Rejects seen before the flow carried any valid frame; they count only if it turns out to be C37.118. */
  readonly heldRejects: RejectCounts;
  isC37: boolean;
}

/**
 * Decodes every C37.118 frame in a pcap or pcapng capture: TCP directions are
 * reassembled and each fed to its own stream decoder, UDP datagrams are
 * decoded one by one; all flows share one configuration store so data sent
 * over UDP can use a configuration fetched over TCP.
 */
export class CaptureInspector {
  private readonly configs: ConfigStore;
  private readonly flows = new Map<string, Flow>();
  private readonly counters = newCounters();
  private readonly idcodes = new Set<number>();
  private readonly stations: StationNames;
  private readonly heldBytes: HeldBytesBudget;
  private dataRate: number | null = null;
  private firstTime: number | null = null;
  private lastTime: number | null = null;
  private readonly packets: PacketCounts = {
    total: 0,
    tcp: 0,
    udp: 0,
    ipv6: 0,
    skipped: 0,
    skippedBy: Object.fromEntries(PACKET_SKIPS.map((k) => [k, 0])) as Record<PacketSkip, number>,
    flowsDropped: 0,
  };
  private retransmittedFrames = 0;

  /** `onFrame` hears every frame counted, in capture order (for frame-by-frame comparison with other tools). */
  constructor(
    private readonly options: InspectOptions = DEFAULT_INSPECT_OPTIONS,
    private readonly onFrameCounted?: (frame: InspectedFrame) => void,
  ) {
    this.configs = new ConfigStore({ maxConfigs: options.maxConfigs });
    this.stations = new StationNames(options.maxStations);
    this.heldBytes = new HeldBytesBudget(options.maxHeldBytes);
  }

  inspect(file: Uint8Array): InspectDetails {
    return this.inspectPackets(readCapture(file, this.options));
  }

  /** Inspects a capture read packet by packet (`readCapture` over memory or `openCapture` over a stream). */
  inspectPackets(reader: CaptureReader): InspectDetails {
    for (const packet of reader.packets()) {
      this.packets.total += 1;
      const segment = decodePacket(packet.linkType, packet.data);
      if (typeof segment === 'string') {
        this.packets.skipped += 1;
        this.packets.skippedBy[segment] += 1;
      } else this.onSegment(segment);
    }
    for (const flow of this.flows.values()) {
      flow.tcp?.finish();
      flow.decoder.end();
    }
    return this.details(reader.summary.format, reader.summary.truncated);
  }

  private onSegment(s: TransportSegment): void {
    const key = `${s.protocol} ${s.src}:${s.srcPort}>${s.dst}:${s.dstPort}`;
    const flow = this.flowFor(key, s.protocol);
    if (flow === undefined) return;
    if (s.ipVersion === 6) this.packets.ipv6 += 1;
    if (s.protocol === 'udp') {
      this.packets.udp += 1;
      if (s.payload.length > 0) flow.decoder.pushDatagram(s.payload);
      return;
    }
    this.packets.tcp += 1;
    flow.tcp?.segment(s.seq, s.syn, s.payload);
  }

  private flowFor(key: string, protocol: 'tcp' | 'udp'): Flow | undefined {
    const known = this.flows.get(key);
    if (known !== undefined) return known;
    if (this.flows.size >= this.options.maxFlows) {
      this.packets.flowsDropped += 1;
      return undefined;
    }
    const decoder = new StreamDecoder(
      { maxFrameBytes: this.options.maxFrameBytes, configs: this.configs },
      {
        onData: (v) => this.onData(flow, v),
        onFrame: (f) => this.onFrame(flow, f),
        onConfig3Fragment: (f) => this.onFragment(flow, f),
        onReject: (r) => this.onReject(flow, r),
      },
    );
    const tcp =
      protocol === 'tcp'
        ? new TcpReassembler(
            { maxOutOfOrderBytes: this.options.maxOutOfOrderBytes, heldBytes: this.heldBytes },
            {
              data: (b) => decoder.push(b),
              gap: () => decoder.discontinuity(),
              retransmission: (b) => this.onRetransmission(b),
            },
          )
        : undefined;
    const flow: Flow = { decoder, tcp, heldRejects: newCounters().rejected, isC37: false };
    this.flows.set(key, flow);
    return flow;
  }

  /**
   * Frames in a retransmitted segment count again, as a protocol analyser
   * counts transmissions on the wire; the stream decoder saw those bytes
   * once already and does not see them again.
   */
  private onRetransmission(bytes: Uint8Array): void {
    const scratch = new StreamDecoder(
      { maxFrameBytes: this.options.maxFrameBytes, configs: this.configs },
      {
        onData: (v) => this.countRetransmitted(dataFrameHead(v)),
        onFrame: (f) => {
          if (!isReassembled(f)) this.countRetransmitted(f);
        },
        onConfig3Fragment: (f) => this.countRetransmitted({ kind: 'cfg3', ...f }),
      },
    );
    scratch.pushDatagram(bytes);
  }

  private countRetransmitted(frame: Omit<InspectedFrame, 'packet'>): void {
    this.counters.frames[frame.kind] += 1;
    this.retransmittedFrames += 1;
    this.tellFrame(frame);
  }

  private tellFrame(f: Omit<InspectedFrame, 'packet'>): void {
    const packet = this.packets.total;
    this.onFrameCounted?.({ packet, kind: f.kind, idcode: f.idcode, soc: f.soc, fracsec: f.fracsec });
  }

  private markC37(flow: Flow): void {
    if (flow.isC37) return;
    flow.isC37 = true;
    for (const reason of REJECT_REASONS) this.counters.rejected[reason] += flow.heldRejects[reason];
  }

  private onData(flow: Flow, view: DataFrameView): void {
    this.markC37(flow);
    this.counters.frames.data += 1;
    this.tellFrame(dataFrameHead(view));
    this.idcodes.add(view.idcode);
    const t = view.time;
    if (this.firstTime === null || t < this.firstTime) this.firstTime = t;
    if (this.lastTime === null || t > this.lastTime) this.lastTime = t;
  }

  /** Each frame of a CFG-3 series counts as the frame on the wire it is; the reassembled configuration does not count again. */
  private onFragment(flow: Flow, f: Config3FragmentInfo): void {
    this.markC37(flow);
    this.counters.frames.cfg3 += 1;
    this.tellFrame({ kind: 'cfg3', ...f });
  }

  private onFrame(flow: Flow, frame: Frame): void {
    this.markC37(flow);
    if (!isReassembled(frame)) {
      this.counters.frames[frame.kind] += 1;
      this.tellFrame(frame);
    }
    if (frame.kind === 'cmd') return;
    this.idcodes.add(frame.idcode);
    if (frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3') {
      for (const pmu of frame.pmus) this.stations.add(pmu.stationName);
      if (this.dataRate === null) this.dataRate = frame.dataRate;
    }
  }

  private onReject(flow: Flow, reject: FrameReject): void {
    if (flow.isC37) this.counters.rejected[reject.reason] += 1;
    else flow.heldRejects[reject.reason] += 1;
  }

  private details(captureFormat: 'pcap' | 'pcapng', captureTruncated: boolean): InspectDetails {
    const tcp = { retransmittedBytes: 0, outOfOrderSegments: 0, gaps: 0, gapBytes: 0 };
    for (const flow of this.flows.values()) {
      if (flow.tcp === undefined) continue;
      tcp.retransmittedBytes += flow.tcp.counters.retransmittedBytes;
      tcp.outOfOrderSegments += flow.tcp.counters.outOfOrderSegments;
      tcp.gaps += flow.tcp.counters.gaps;
      tcp.gapBytes += flow.tcp.counters.gapBytes;
    }
    const report: InspectReport = {
      frames: { ...this.counters.frames },
      crcErrors: this.counters.rejected.crc,
      rejected: totalRejected(this.counters),
      idcodes: [...this.idcodes].sort((a, b) => a - b),
      stations: this.stations.list(),
      dataRate: this.dataRate,
      firstTime: microseconds(this.firstTime),
      lastTime: microseconds(this.lastTime),
    };
    let otherFlows = 0;
    for (const flow of this.flows.values()) if (!flow.isC37) otherFlows += 1;
    return {
      report,
      rejects: { ...this.counters.rejected },
      captureFormat,
      packets: { ...this.packets, skippedBy: { ...this.packets.skippedBy } },
      otherFlows,
      retransmittedFrames: this.retransmittedFrames,
      tcp,
      captureTruncated,
      stationsDropped: this.stations.dropped,
      stationEntriesExamined: this.stations.examined,
    };
  }
}

/** Inspects a whole capture (pcap or pcapng) held in memory. */
export function inspectCapture(
  file: Uint8Array,
  options: InspectOptions = DEFAULT_INSPECT_OPTIONS,
): InspectDetails {
  return new CaptureInspector(options).inspect(file);
}

/** Inspects a capture (pcap or pcapng) streamed from `read`, holding one packet at a time whatever its length. */
export function inspectCaptureStream(
  read: ByteSource,
  options: InspectOptions = DEFAULT_INSPECT_OPTIONS,
): InspectDetails {
  return new CaptureInspector(options).inspectPackets(openCapture(read, options));
}

function isReassembled(f: Frame): boolean {
  return f.kind === 'cfg3' && f.fragments !== undefined;
}

function dataFrameHead(v: DataFrameView): Omit<InspectedFrame, 'packet'> {
  return { kind: 'data', idcode: v.idcode, soc: v.soc, fracsec: v.fracsec };
}

/** Frame times are exact to the microsecond at best; rounding hides float noise like 0.12000000001. */
function microseconds(t: number | null): number | null {
  return t === null ? null : Math.round(t * 1e6) / 1e6;
}
