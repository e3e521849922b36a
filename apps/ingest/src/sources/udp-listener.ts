import dgram from 'node:dgram';
import { ConfigStore, StreamDecoder } from '@gridcloud/c37118';
import type { IngestPipeline } from '../pipeline/ingest-pipeline';

export interface UdpLimits {
  readonly maxFrameBytes: number;
  readonly maxConfigsPerSource: number;
  readonly maxUdpSources: number;
}

/**
 * Spontaneous C37.118 over UDP: one decoder (and configuration store) per
 * sender address, each datagram decoded on its own. Senders beyond
 * `maxUdpSources` are refused and counted, so a flood of spoofed addresses
 * cannot grow memory.
 */
export class UdpListener {
  refusedDatagrams = 0;
  private readonly socket = dgram.createSocket('udp4');
  private readonly decoders = new Map<string, StreamDecoder>();

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
    const decoder = this.decoderFor(label);
    if (decoder === undefined) {
      this.refusedDatagrams += 1;
      return;
    }
    this.pipeline.source(label).bytesIn += msg.length;
    decoder.pushDatagram(msg);
  }

  private decoderFor(label: string): StreamDecoder | undefined {
    const known = this.decoders.get(label);
    if (known !== undefined || this.decoders.size >= this.limits.maxUdpSources) return known;
    const configs = new ConfigStore({ maxConfigs: this.limits.maxConfigsPerSource });
    const decoder = new StreamDecoder({ maxFrameBytes: this.limits.maxFrameBytes, configs }, {
      onData: (view) => this.pipeline.onData(view, label, Date.now()),
      onFrame: (frame) => {
        if (frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3') this.pipeline.onConfig(frame, label, Date.now());
      },
      onReject: (reject) => this.pipeline.onReject(reject, label),
    });
    this.decoders.set(label, decoder);
    return decoder;
  }
}
