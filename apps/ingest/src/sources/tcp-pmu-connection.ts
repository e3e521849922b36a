import net from 'node:net';
import {
  commandFrame,
  ConfigStore,
  encodeFrame,
  STAT_CONFIG_CHANGE,
  StreamDecoder,
  type DataFrameView,
  type Frame,
  type FrameReject,
} from '@gridcloud/c37118';
import {
  PdcSession,
  type JitterSource,
  type SessionEffect,
  type SessionEvent,
  type SessionOptions,
} from '@gridcloud/pdc';
import type { TcpTarget } from '../config/ingest-options';
import type { IngestPipeline } from '../pipeline/ingest-pipeline';
import type { SourceStats } from '../pipeline/source-stats';

export interface TcpConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxConfigsPerSource: number;
  readonly maxConfigBytesPerSource: number;
}

/**
 * The runtime shell of one PDC client session: it owns the socket, the
 * decoder and the single timer, and carries out what `PdcSession` decides.
 * Every protocol rule (when to ask for CFG-2, when to give up, how long to
 * back off) lives in the session, none here.
 */
export class TcpPmuConnection {
  private readonly session: PdcSession;
  private readonly stats: SourceStats;
  private socket: net.Socket | undefined;
  private decoder: StreamDecoder | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: TcpTarget,
    session: Omit<SessionOptions, 'idcode'>,
    private readonly limits: TcpConnectionLimits,
    private readonly pipeline: IngestPipeline,
    jitter: JitterSource,
    private readonly log: (line: string) => void,
  ) {
    this.session = new PdcSession({ ...session, idcode: target.idcode }, jitter);
    this.stats = pipeline.source(this.label);
  }

  get label(): string {
    return `tcp:${this.target.idcode}@${this.target.host}:${this.target.port}`;
  }

  start(): void {
    this.step({ type: 'start', nowMs: Date.now() });
  }

  stop(): void {
    this.step({ type: 'stop', nowMs: Date.now() });
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private step(event: SessionEvent): void {
    for (const effect of this.session.step(event)) this.perform(effect);
  }

  private perform(e: SessionEffect): void {
    switch (e.type) {
      case 'connect':
        return this.connect();
      case 'send':
        this.socket?.write(
          encodeFrame(commandFrame(e.idcode, e.command, { soc: Math.floor(Date.now() / 1000), fracsec: 0 })),
        );
        return;
      case 'close':
        if (e.failed) this.stats.connectionError(`closing: ${e.reason}`);
        else this.stats.error(`closing: ${e.reason}`);
        this.drop();
        return;
      case 'timer':
        if (this.timer !== undefined) clearTimeout(this.timer);
        // One millisecond late rather than early: Node may fire a timer just before Date.now() reaches its due time.
        this.timer = setTimeout(
          () => this.step({ type: 'tick', nowMs: Date.now() }),
          Math.max(0, e.atMs - Date.now()) + 1,
        );
        return;
      case 'config-changed':
        if (e.previous !== undefined)
          this.log(`${this.label}: CFGCNT ${e.previous.join(',')} -> ${e.cfgcnt.join(',')}`);
        return;
      case 'state':
        this.stats.state = e.to;
        return;
    }
  }

  private connect(): void {
    this.drop();
    this.stats.connects += 1;
    // A fresh decoder and configuration store per connection: nothing a previous peer said carries over.
    const configs = new ConfigStore({
      maxConfigs: this.limits.maxConfigsPerSource,
      maxConfigBytes: this.limits.maxConfigBytesPerSource,
    });
    const decoder = new StreamDecoder(
      { maxFrameBytes: this.limits.maxFrameBytes, configs },
      {
        onData: (view) => this.onData(view),
        onFrame: (frame) => this.onFrame(frame),
        onReject: (reject) => this.onReject(reject),
      },
    );
    const socket = net.connect({ host: this.target.host, port: this.target.port });
    socket.setNoDelay(true);
    socket.on('connect', () => this.step({ type: 'connected', nowMs: Date.now() }));
    socket.on('data', (chunk) => {
      this.stats.bytesIn += chunk.length;
      decoder.push(chunk);
    });
    socket.on('error', (error) => this.stats.connectionError(`socket: ${error.message}`));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.decoder?.end();
      this.stats.disconnects += 1;
      this.socket = undefined;
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
    if (s !== undefined) {
      this.stats.disconnects += 1;
      s.destroy();
    }
  }

  private onData(view: DataFrameView): void {
    const now = Date.now();
    this.pipeline.onData(view, this.label, now);
    if (view.idcode !== this.target.idcode) return;
    let pending = false;
    for (let p = 0; p < view.stat.length; p += 1) pending ||= (view.stat[p] & STAT_CONFIG_CHANGE) !== 0;
    this.step({ type: 'data', nowMs: now, configChangePending: pending });
  }

  private onFrame(frame: Frame): void {
    const now = Date.now();
    if (frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3') {
      // The operator named this target for its stream: that stream's PMUs are configured here, any others are not.
      this.pipeline.onConfig(frame, this.label, now, frame.idcode === this.target.idcode);
      if (frame.idcode === this.target.idcode && frame.kind !== 'cfg1')
        this.step({ type: 'config', nowMs: now, cfgcnt: frame.pmus.map((p) => p.cfgcnt) });
    }
  }

  private onReject(reject: FrameReject): void {
    this.pipeline.onReject(reject, this.label);
    if (reject.reason === 'size-mismatch' && reject.kind === 'data' && reject.idcode === this.target.idcode) {
      this.step({ type: 'config-mismatch', nowMs: Date.now(), message: reject.message });
    }
  }
}
