import dgram from 'node:dgram';
import {
  commandFrame,
  ConfigBudget,
  ConfigStore,
  encodeFrame,
  STAT_CONFIG_CHANGE,
  StreamDecoder,
  type DataFrameView,
  type FrameReject,
} from '@gridcloud/c37118';
import { ListenError } from '@gridcloud/command-line';
import {
  UdpSourceSession,
  type UdpSourceEffect,
  type UdpSourceEvent,
  type UdpSourceOptions,
} from '@gridcloud/pdc';
import type { IngestPipeline } from '../pipeline/ingest-pipeline';

/** All UDP senders' configurations together, as CFG-2 bytes: about 100 MB once decoded. */
export const DEFAULT_MAX_UDP_CONFIG_BYTES = 16 * 1024 * 1024;

export interface UdpLimits {
  readonly maxFrameBytes: number;
  readonly maxConfigsPerSource: number;
  readonly maxConfigBytesPerSource: number;
  /** Configuration bytes of all senders together: many spoofed senders share this, not one bound each (default 16 MiB). */
  readonly maxUdpConfigBytes?: number;
  readonly maxUdpSources: number;
  /** A sender silent this long is forgotten (its PMUs released); it comes back with its next configuration. */
  readonly udpSourceIdleMs: number;
  /** Each sender's session: CFG-2 requests and the silence timeout (ingest's --config-timeout-ms, ...). */
  readonly session?: Pick<UdpSourceOptions, 'configTimeoutMs' | 'maxConfigRequests' | 'dataTimeoutMs'>;
}

const DEFAULT_UDP_SESSION = { configTimeoutMs: 2000, maxConfigRequests: 3, dataTimeoutMs: 5000 };

/** Who a sender is: its source label, where to answer it, and its session. */
interface SenderPeer {
  readonly label: string;
  readonly address: string;
  readonly port: number;
  readonly session: UdpSourceSession;
}

/** One sender: its decoder besides, and when it was last heard. */
interface UdpSender extends SenderPeer {
  readonly decoder: StreamDecoder;
  lastMs: number;
}

/**
 * Spontaneous C37.118 over UDP: one decoder (and configuration store) per
 * sender address, each datagram decoded on its own. At most
 * `maxUdpSources` senders are tracked, so a flood of spoofed addresses
 * cannot grow memory; when full, the longest-silent sender (if silent for
 * `udpSourceIdleMs`) makes room, else the datagram is refused and counted,
 * so a burst of one-off garbage cannot lock out a PMU that starts later.
 * A sender silent for `udpSourceIdleMs` is forgotten on the next `sweep`
 * too: the PMUs it announced stop being expected, so a sender that
 * announced PMUs and went quiet does not hold them for good. Their
 * configurations share one byte budget (`maxUdpConfigBytes`) besides each
 * sender's own bound, so a thousand senders cannot hold a thousand times it.
 * Each sender has a session (libs/pdc's UdpSourceSession) as a TCP target
 * does: data it sends undescribed, resized or flagged with STAT bit 10 makes
 * it ask the sender for CFG-2 (a command datagram back, bounded), and a
 * sender with no data for `dataTimeoutMs` is marked silent in its statistics.
 */
export class UdpListener {
  refusedDatagrams = 0;
  /** Senders forgotten: silent for `udpSourceIdleMs`, to make room or on a sweep. */
  evictedSources = 0;
  private readonly socket = dgram.createSocket('udp4');
  private readonly budget: ConfigBudget;
  /** In least-recently-heard order: a Map keeps insertion order, and a sender is re-inserted on every datagram. */
  private readonly senders = new Map<string, UdpSender>();

  constructor(
    private readonly limits: UdpLimits,
    private readonly pipeline: IngestPipeline,
  ) {
    this.budget = new ConfigBudget(limits.maxUdpConfigBytes ?? DEFAULT_MAX_UDP_CONFIG_BYTES);
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
    this.socket.on('error', (error) =>
      this.pipeline.source('udp').connectionError(`socket: ${error.message}`),
    );
  }

  /** Binds; an address that cannot be bound rejects with a ListenError naming it (no stack trace for the user). */
  bind(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', (error) => reject(new ListenError('--udp', `${host}:${port}`, error)));
      this.socket.bind(port, host, () => resolve(this.socket.address().port));
    });
  }

  /**
   * Forgets every sender silent for `udpSourceIdleMs` and lets the others'
   * sessions see the time pass; call it as often as the pipeline ticks.
   */
  sweep(nowMs: number): void {
    for (;;) {
      const oldest = this.senders.entries().next();
      if (oldest.done || nowMs - oldest.value[1].lastMs < this.limits.udpSourceIdleMs) break;
      this.forget(oldest.value[0], nowMs);
    }
    for (const sender of this.senders.values()) this.step(sender, { type: 'tick', nowMs });
  }

  close(): void {
    this.socket.close();
  }

  private onMessage(msg: Buffer, address: string, port: number): void {
    const label = `udp:${address}:${port}`;
    const sender = this.senderFor(label, address, port, Date.now());
    if (sender === undefined) {
      this.refusedDatagrams += 1;
      return;
    }
    this.pipeline.source(label).bytesIn += msg.length;
    sender.decoder.pushDatagram(msg);
  }

  private senderFor(label: string, address: string, port: number, nowMs: number): UdpSender | undefined {
    const known = this.senders.get(label);
    if (known !== undefined) {
      // Re-inserted so the map stays in least-recently-heard order.
      this.senders.delete(label);
      known.lastMs = nowMs;
      this.senders.set(label, known);
      return known;
    }
    if (this.senders.size >= this.limits.maxUdpSources && !this.evictIdle(nowMs)) return undefined;
    const sender = this.newSender(label, address, port, nowMs);
    this.senders.set(label, sender);
    return sender;
  }

  private evictIdle(nowMs: number): boolean {
    const oldest = this.senders.entries().next();
    if (oldest.done || nowMs - oldest.value[1].lastMs < this.limits.udpSourceIdleMs) return false;
    this.forget(oldest.value[0], nowMs);
    return true;
  }

  private forget(label: string, nowMs: number): void {
    this.senders.get(label)?.decoder.configs.clear();
    this.senders.delete(label);
    this.pipeline.retireSource(label, nowMs);
    this.evictedSources += 1;
  }

  private newSender(label: string, address: string, port: number, nowMs: number): UdpSender {
    const configs = new ConfigStore({
      maxConfigs: this.limits.maxConfigsPerSource,
      maxConfigBytes: this.limits.maxConfigBytesPerSource,
      budget: this.budget,
    });
    const peer: SenderPeer = {
      label,
      address,
      port,
      session: new UdpSourceSession({
        ...(this.limits.session ?? DEFAULT_UDP_SESSION),
        maxStreams: this.limits.maxConfigsPerSource,
      }),
    };
    const decoder = new StreamDecoder(
      { maxFrameBytes: this.limits.maxFrameBytes, configs },
      {
        onData: (view) => this.onData(peer, view),
        onFrame: (frame) => {
          if (frame.kind !== 'cfg1' && frame.kind !== 'cfg2' && frame.kind !== 'cfg3') return;
          this.pipeline.onConfig(frame, label, Date.now());
          if (frame.kind !== 'cfg1')
            this.step(peer, { type: 'config', nowMs: Date.now(), idcode: frame.idcode });
        },
        onReject: (reject) => this.onReject(peer, reject),
      },
    );
    this.pipeline.source(label).state = peer.session.state;
    return { ...peer, decoder, lastMs: nowMs };
  }

  private onData(peer: SenderPeer, view: DataFrameView): void {
    const nowMs = Date.now();
    this.pipeline.onData(view, peer.label, nowMs);
    let pending = false;
    for (let p = 0; p < view.stat.length; p += 1) pending ||= (view.stat[p] & STAT_CONFIG_CHANGE) !== 0;
    this.step(peer, { type: 'data', nowMs, idcode: view.idcode, configChangePending: pending });
  }

  /** A CRC-failed frame's IDCODE may be garbage: only a frame that passed its CRC can start a request. */
  private onReject(peer: SenderPeer, reject: FrameReject): void {
    this.pipeline.onReject(reject, peer.label);
    if (reject.idcode === undefined || reject.kind !== 'data') return;
    const nowMs = Date.now();
    if (reject.reason === 'no-config') this.step(peer, { type: 'no-config', nowMs, idcode: reject.idcode });
    else if (reject.reason === 'size-mismatch')
      this.step(peer, { type: 'config-mismatch', nowMs, idcode: reject.idcode });
  }

  private step(peer: SenderPeer, event: UdpSourceEvent): void {
    for (const e of peer.session.step(event)) this.perform(peer, e);
  }

  private perform(peer: SenderPeer, e: UdpSourceEffect): void {
    const stats = this.pipeline.source(peer.label);
    if (e.type === 'state') {
      stats.state = e.to;
      if (e.to === 'silent') {
        stats.silences += 1;
        stats.error(`silent: ${e.why}`);
      }
      return;
    }
    stats.configRequests += 1;
    const now = { soc: Math.floor(Date.now() / 1000), fracsec: 0 };
    this.socket.send(encodeFrame(commandFrame(e.idcode, e.command, now)), peer.port, peer.address);
  }
}
