import dgram from 'node:dgram';
import { ConfigBudget, ConfigStore, StreamDecoder } from '@gridcloud/c37118';
import type { IngestPipeline } from '../pipeline/ingest-pipeline';
import { ListenError } from '@gridcloud/command-line';

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
 */
export class UdpListener {
  refusedDatagrams = 0;
  /** Senders forgotten: silent for `udpSourceIdleMs`, to make room or on a sweep. */
  evictedSources = 0;
  private readonly socket = dgram.createSocket('udp4');
  private readonly budget: ConfigBudget;
  /** In least-recently-heard order: a Map keeps insertion order, and a sender is re-inserted on every datagram. */
  private readonly decoders = new Map<string, { decoder: StreamDecoder; lastMs: number }>();

  constructor(
    private readonly limits: UdpLimits,
    private readonly pipeline: IngestPipeline,
  ) {
    this.budget = new ConfigBudget(limits.maxUdpConfigBytes ?? DEFAULT_MAX_UDP_CONFIG_BYTES);
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, `udp:${rinfo.address}:${rinfo.port}`));
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

  /** Forgets every sender silent for `udpSourceIdleMs`; call it as often as the pipeline ticks (cheap when none is). */
  sweep(nowMs: number): void {
    for (;;) {
      const oldest = this.decoders.entries().next();
      if (oldest.done || nowMs - oldest.value[1].lastMs < this.limits.udpSourceIdleMs) return;
      this.forget(oldest.value[0], nowMs);
    }
  }

  close(): void {
    this.socket.close();
  }

  private onMessage(msg: Buffer, label: string): void {
    const decoder = this.decoderFor(label, Date.now());
    if (decoder === undefined) {
      this.refusedDatagrams += 1;
      return;
    }
    this.pipeline.source(label).bytesIn += msg.length;
    decoder.pushDatagram(msg);
  }

  private decoderFor(label: string, nowMs: number): StreamDecoder | undefined {
    const known = this.decoders.get(label);
    if (known !== undefined) {
      this.decoders.delete(label);
      this.decoders.set(label, { decoder: known.decoder, lastMs: nowMs });
      return known.decoder;
    }
    if (this.decoders.size >= this.limits.maxUdpSources && !this.evictIdle(nowMs)) return undefined;
    const decoder = this.newDecoder(label);
    this.decoders.set(label, { decoder, lastMs: nowMs });
    return decoder;
  }

  private evictIdle(nowMs: number): boolean {
    const oldest = this.decoders.entries().next();
    if (oldest.done || nowMs - oldest.value[1].lastMs < this.limits.udpSourceIdleMs) return false;
    this.forget(oldest.value[0], nowMs);
    return true;
  }

  private forget(label: string, nowMs: number): void {
    this.decoders.get(label)?.decoder.configs.clear();
    this.decoders.delete(label);
    this.pipeline.retireSource(label, nowMs);
    this.evictedSources += 1;
  }

  private newDecoder(label: string): StreamDecoder {
    const configs = new ConfigStore({
      maxConfigs: this.limits.maxConfigsPerSource,
      maxConfigBytes: this.limits.maxConfigBytesPerSource,
      budget: this.budget,
    });
    return new StreamDecoder(
      { maxFrameBytes: this.limits.maxFrameBytes, configs },
      {
        onData: (view) => this.pipeline.onData(view, label, Date.now()),
        onFrame: (frame) => {
          if (frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3')
            this.pipeline.onConfig(frame, label, Date.now());
        },
        onReject: (reject) => this.pipeline.onReject(reject, label),
      },
    );
  }
}
