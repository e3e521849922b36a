import { ConfigStore } from '@gridcloud/c37118';
import { PdcClient, type JitterSource, type SessionEffect, type SessionOptions } from '@gridcloud/pdc';
import type { TcpTarget } from '../config/ingest-options';
import type { IngestPipeline } from '../pipeline/ingest-pipeline';
import type { SourceStats } from '../pipeline/source-stats';

export interface TcpConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxConfigsPerSource: number;
  readonly maxConfigBytesPerSource: number;
}

/**
 * One `--tcp` target: libs/pdc's PdcClient (the session and its socket)
 * wired to the pipeline and this source's statistics. Nothing here decides
 * when to ask, give up or reconnect.
 */
export class TcpPmuConnection {
  private readonly client: PdcClient;
  private readonly stats: SourceStats;

  constructor(
    private readonly target: TcpTarget,
    session: Omit<SessionOptions, 'idcode'>,
    limits: TcpConnectionLimits,
    private readonly pipeline: IngestPipeline,
    jitter: JitterSource,
    private readonly log: (line: string) => void,
  ) {
    this.stats = pipeline.source(this.label);
    const label = this.label;
    this.client = new PdcClient(
      {
        host: target.host,
        port: target.port,
        session: { ...session, idcode: target.idcode },
        maxFrameBytes: limits.maxFrameBytes,
        configs: () =>
          new ConfigStore({
            maxConfigs: limits.maxConfigsPerSource,
            maxConfigBytes: limits.maxConfigBytesPerSource,
          }),
        jitter,
      },
      {
        onData: (view, nowMs) => pipeline.onData(view, label, nowMs),
        onFrame: (frame, nowMs) => {
          // The operator named this target for its stream: that stream's PMUs are configured here, any others are not.
          if (frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3')
            pipeline.onConfig(frame, label, nowMs, frame.idcode === target.idcode);
        },
        onReject: (reject) => pipeline.onReject(reject, label),
        onBytes: (count) => (this.stats.bytesIn += count),
        onEffect: (effect) => this.onEffect(effect),
        onSocketError: (message) => this.stats.connectionError(`socket: ${message}`),
        onDisconnect: () => (this.stats.disconnects += 1),
      },
    );
  }

  get label(): string {
    return `tcp:${this.target.idcode}@${this.target.host}:${this.target.port}`;
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.client.stop();
  }

  private onEffect(e: SessionEffect): void {
    if (e.type === 'connect') this.stats.connects += 1;
    else if (e.type === 'state') this.stats.state = e.to;
    else if (e.type === 'close' && e.failed) this.stats.connectionError(`closing: ${e.reason}`);
    else if (e.type === 'close') this.stats.error(`closing: ${e.reason}`);
    else if (e.type === 'config-changed' && e.previous !== undefined)
      this.log(`${this.label}: CFGCNT ${e.previous.join(',')} -> ${e.cfgcnt.join(',')}`);
  }
}
