import { connect, type Socket } from 'node:net';
import { commandFrame, encodeFrame } from '../codec/encode';
import { C37ConfigError } from '../errors/config-error';
import type { CommandName } from '../codec/frame-types';
import { StreamDecoder, type StreamDecoderHandlers } from '../stream/stream-decoder';
import type { FrameTime } from './pmu-session';

export interface PdcClientOptions {
  readonly host: string;
  readonly port: number;
  /** IDCODE of the PMU stream the commands address. */
  readonly idcode: number;
  readonly maxFrameBytes: number;
  readonly now: () => FrameTime;
}

/**
 * A minimal C37.118 PDC over TCP: connects to a PMU, sends commands, and
 * feeds everything received into a StreamDecoder whose handlers the caller
 * supplies. Reconnection and time alignment belong to the ingest service.
 */
export class PdcClient {
  readonly decoder: StreamDecoder;
  private socket: Socket | undefined;

  constructor(
    private readonly options: PdcClientOptions,
    handlers: StreamDecoderHandlers,
  ) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new C37ConfigError(`port must be 1..65535, got ${String(options.port)}`);
    }
    if (!Number.isInteger(options.idcode) || options.idcode < 0 || options.idcode > 0xffff) {
      throw new C37ConfigError(`idcode must be 0..65535, got ${String(options.idcode)}`);
    }
    this.decoder = new StreamDecoder({ maxFrameBytes: options.maxFrameBytes }, handlers);
  }

  async connect(): Promise<void> {
    const socket = connect({ host: this.options.host, port: this.options.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (bytes) => this.decoder.push(bytes));
    socket.on('end', () => this.decoder.end());
    socket.on('error', () => socket.destroy());
    this.socket = socket;
  }

  send(command: CommandName): void {
    if (this.socket === undefined) throw new Error('PdcClient.send before connect(): call connect() first');
    this.socket.write(encodeFrame(commandFrame(this.options.idcode, command, this.options.now())));
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
