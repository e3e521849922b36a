import net from 'node:net';
import {
  commandFrame,
  ConfigStore,
  encodeFrame,
  STAT_CONFIG_CHANGE,
  StreamDecoder,
  type CommandName,
  type DataFrameView,
  type Frame,
  type FrameReject,
} from '@gridcloud/c37118';
import { PdcSession, type JitterSource } from './pdc-session';
import type { SessionOptions } from './session-options';
import type { SessionEffect, SessionEvent, SessionState } from './session-types';

export interface PdcClientOptions {
  readonly host: string;
  readonly port: number;
  /** The session's bounds and the IDCODE of the stream it commands. */
  readonly session: SessionOptions;
  /** Largest frame accepted from the PMU; a longer FRAMESIZE is rejected as oversized. */
  readonly maxFrameBytes: number;
  /** A fresh configuration store per connection (bounded by the caller); default an unbounded-count store. */
  readonly configs?: () => ConfigStore;
  /** Reconnect jitter; default Math.random. */
  readonly jitter?: JitterSource;
}

/** What the client reports; every handler is optional but `onData`. The view is reused: copy what you keep. */
export interface PdcClientHandlers {
  onData(view: DataFrameView, nowMs: number): void;
  /** Header, CFG-1/2/3 and command frames, whichever stream they name. */
  onFrame?(frame: Frame, nowMs: number): void;
  onReject?(reject: FrameReject): void;
  /** Bytes read from the socket. */
  onBytes?(count: number): void;
  /** Every decision of the session (state changes, closes with their reason, CFGCNT changes). */
  onEffect?(effect: SessionEffect): void;
  onSocketError?(message: string): void;
  /** A connection ended (closed by the peer, the network or the session). */
  onDisconnect?(): void;
}

const systemJitter: JitterSource = { next: () => Math.random() };

/**
 * Bytes the kernel may hand over per read. Every connection of this thread reads into the one buffer below: a read's
 * callback runs to its end before the next read starts, and the decoder copies out a partial frame's tail, so no
 * buffer is allocated per read (at thousands of reads a second those allocations, counted as external memory, drove
 * the collector) and none is held per connection (thousands of single-PMU connections would hold as many).
 */
const READ_BUFFER_BYTES = 64 * 1024;
const sharedReadBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/**
 * The PDC side of C37.118 over TCP: the runtime shell of `PdcSession`. It
 * owns the socket, the decoder and the one timer, tells the session what
 * happened (connected, a CFG-2 or data frame of its stream, STAT bit 10, a
 * frame that no longer matches the configuration, silence, a close) and
 * carries out what it decides (connect, command, close, back off). Every
 * protocol rule lives in the session; ingest and the interop tests use this.
 */
export class PdcClient {
  private readonly session: PdcSession;
  private socket: net.Socket | undefined;
  private decoder: StreamDecoder | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: PdcClientOptions,
    private readonly handlers: PdcClientHandlers,
  ) {
    this.session = new PdcSession(options.session, options.jitter ?? systemJitter);
  }

  get state(): SessionState {
    return this.session.state;
  }

  get idcode(): number {
    return this.session.options.idcode;
  }

  start(): void {
    this.step({ type: 'start', nowMs: Date.now() });
  }

  /** Sends turn-off, closes, and stays stopped. */
  stop(): void {
    this.step({ type: 'stop', nowMs: Date.now() });
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * A command besides the session's own (header, CFG-1, CFG-3) on the live
   * connection; false when there is none.
   */
  send(command: CommandName): boolean {
    if (this.socket === undefined || this.socket.connecting) return false;
    this.write(command, this.idcode);
    return true;
  }

  private step(event: SessionEvent): void {
    for (const effect of this.session.step(event)) this.perform(effect);
  }

  private perform(e: SessionEffect): void {
    this.handlers.onEffect?.(e);
    switch (e.type) {
      case 'connect':
        return this.connect();
      case 'send':
        return this.write(e.command, e.idcode);
      case 'close':
        return this.drop();
      case 'timer':
        if (this.timer !== undefined) clearTimeout(this.timer);
        // One millisecond late rather than early: Node may fire a timer just before Date.now() reaches its due time.
        this.timer = setTimeout(
          () => this.step({ type: 'tick', nowMs: Date.now() }),
          Math.max(0, e.atMs - Date.now()) + 1,
        );
        return;
      default:
        return;
    }
  }

  private write(command: CommandName, idcode: number): void {
    const now = { soc: Math.floor(Date.now() / 1000), fracsec: 0 };
    this.socket?.write(encodeFrame(commandFrame(idcode, command, now)));
  }

  private connect(): void {
    this.drop();
    // A fresh decoder and configuration store per connection: nothing a previous peer said carries over.
    const decoder = new StreamDecoder(
      { maxFrameBytes: this.options.maxFrameBytes, configs: this.options.configs?.() ?? new ConfigStore() },
      {
        onData: (view) => this.onData(view),
        onFrame: (frame) => this.onFrame(frame),
        onReject: (reject) => this.onReject(reject),
      },
    );
    // The decoder copies a partial frame out of the read buffer and decodes whole ones in place, so the buffer is
    // free again when the callback returns.
    const socket = net.connect({
      host: this.options.host,
      port: this.options.port,
      onread: {
        buffer: sharedReadBuffer,
        callback: (bytes, buffer) => {
          this.handlers.onBytes?.(bytes);
          decoder.push(buffer.subarray(0, bytes));
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    socket.on('connect', () => this.step({ type: 'connected', nowMs: Date.now() }));
    socket.on('error', (error) => this.handlers.onSocketError?.(error.message));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      decoder.end();
      this.socket = undefined;
      this.decoder = undefined;
      this.handlers.onDisconnect?.();
      this.step({ type: 'disconnected', nowMs: Date.now(), error: 'connection closed by peer or network' });
    });
    this.socket = socket;
    this.decoder = decoder;
  }

  /** Closes the current socket without reporting it back to the session (the session decided it). */
  private drop(): void {
    const s = this.socket;
    this.socket = undefined;
    this.decoder = undefined;
    if (s === undefined) return;
    this.handlers.onDisconnect?.();
    s.destroy();
  }

  private onData(view: DataFrameView): void {
    const now = Date.now();
    this.handlers.onData(view, now);
    if (view.idcode !== this.idcode) return;
    let pending = false;
    for (let p = 0; p < view.stat.length; p += 1) pending ||= (view.stat[p] & STAT_CONFIG_CHANGE) !== 0;
    this.step({ type: 'data', nowMs: now, configChangePending: pending });
  }

  private onFrame(frame: Frame): void {
    const now = Date.now();
    this.handlers.onFrame?.(frame, now);
    // CFG-1 describes capability only: the session waits for the CFG-2 (or CFG-3) it asked for.
    if ((frame.kind === 'cfg2' || frame.kind === 'cfg3') && frame.idcode === this.idcode)
      this.step({ type: 'config', nowMs: now, cfgcnt: frame.pmus.map((p) => p.cfgcnt) });
  }

  private onReject(reject: FrameReject): void {
    this.handlers.onReject?.(reject);
    if (reject.reason === 'size-mismatch' && reject.kind === 'data' && reject.idcode === this.idcode)
      this.step({ type: 'config-mismatch', nowMs: Date.now(), message: reject.message });
  }
}
