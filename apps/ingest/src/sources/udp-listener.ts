import dgram from 'node:dgram';
import { ConfigStore, StreamDecoder } from '@gridcloud/c37118';
import type { IngestPipeline } from '../pipeline/ingest-pipeline';

export interface UdpLimits {
  readonly maxFrameBytes: number;
  readonly maxConfigsPerSource: number;
  readonly maxUdpSources: number;
  /** A sender silent this long may give its slot to a new one when `maxUdpSources` is reached. */
  readonly udpSourceIdleMs: number;
}

/**
 * Spontaneous C37.118 over UDP: one decoder (and configuration store) per
 * sender address, each datagram decoded on its own. At most
 * `maxUdpSources` senders are tracked, so a flood of spoofed addresses
 * cannot grow memory; when full, the longest-silent sender (if silent for
 * `udpSourceIdleMs`) makes room, else the datagram is refused and counted,
 * so a burst of one-off garbage cannot lock out a PMU that starts later.
 */
export class UdpListener {
  refusedDatagrams = 0;
  evictedSources = 0;
  private readonly socket = dgram.createSocket('udp4');
  /** In least-recently-heard order: a Map keeps insertion order, and a sender is re-inserted on every datagram. */
  private readonly decoders = new Map<string, { decoder: StreamDecoder; lastMs: number }>();

  constructor(
    private readonly limits: UdpLimits,
    private readonly pipeline: IngestPipeline,
  ) {
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, `udp:${rinfo.address}:${rinfo.port}`));
    this.socket.on('error', (error) => this.pipeline.source('udp').error(`socket: ${error.message}`));
  }

  bind(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(port, host, () => resolve(this.socket.address().port));
    });
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
    this.decoders.delete(oldest.value[0]);
    this.pipeline.retireSource(oldest.value[0]);
    this.evictedSources += 1;
    return true;
  }

  private newDecoder(label: string): StreamDecoder {
    const configs = new ConfigStore({ maxConfigs: this.limits.maxConfigsPerSource });
    return new StreamDecoder({ maxFrameBytes: this.limits.maxFrameBytes, configs }, {
      onData: (view) => this.pipeline.onData(view, label, Date.now()),
      onFrame: (frame) => {
        if (frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3') this.pipeline.onConfig(frame, label, Date.now());
      },
      onReject: (reject) => this.pipeline.onReject(reject, label),
    });
  }
}
