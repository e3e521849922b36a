import { checkRange, invariant } from '../errors/check';

/** Bounds of one UDP sender's session. Times in milliseconds. */
export interface UdpSourceOptions {
  /** Between two CFG-2 requests for the same stream. */
  readonly configTimeoutMs: number;
  /** CFG-2 requests for a stream before waiting for the sender's own periodic CFG-2; reset when one arrives. */
  readonly maxConfigRequests: number;
  /** A sender with no data frame for this long is marked silent (its PMUs stay bound until it is forgotten). */
  readonly dataTimeoutMs: number;
  /** Streams of one sender whose requests are tracked; data of more unknown streams asks for nothing. */
  readonly maxStreams: number;
}

export type UdpSourceState = 'awaiting-config' | 'streaming' | 'silent';

/** What the listener saw from one sender, with its clock. */
export type UdpSourceEvent =
  | { readonly type: 'config'; readonly nowMs: number; readonly idcode: number }
  /** A data frame of a stream whose configuration is known; `configChangePending` is STAT bit 10 of any block. */
  | {
      readonly type: 'data';
      readonly nowMs: number;
      readonly idcode: number;
      readonly configChangePending: boolean;
    }
  /** A data frame of a stream whose configuration is not known (rejected as no-config). */
  | { readonly type: 'no-config'; readonly nowMs: number; readonly idcode: number }
  /** A data frame that no longer matches its stream's configuration (rejected as size-mismatch). */
  | { readonly type: 'config-mismatch'; readonly nowMs: number; readonly idcode: number }
  | { readonly type: 'tick'; readonly nowMs: number };

export type UdpSourceEffect =
  /** Send a CFG-2 request (a command frame) for `idcode` back to the sender. */
  | { readonly type: 'send'; readonly command: 'cfg2'; readonly idcode: number }
  | {
      readonly type: 'state';
      readonly from: UdpSourceState;
      readonly to: UdpSourceState;
      readonly why: string;
    };

interface StreamAsks {
  requests: number;
  nextAskMs: number;
}

/**
 * A UDP PMU's session, as a TCP one has: its configuration is known (it
 * sends CFG-2 on its own) or requested (a CFG-2 command back to its address
 * when its data arrives undescribed, changes size or announces a change,
 * at most once per `configTimeoutMs` and `maxConfigRequests` times until a
 * CFG-2 comes), and a sender with no data for `dataTimeoutMs` is marked
 * silent until its data resumes. `step(event) -> effects`; no sockets, no clock.
 */
export class UdpSourceSession {
  /** CFG-2 requests made. */
  configRequests = 0;
  /** Times the sender went silent. */
  silences = 0;
  private current: UdpSourceState = 'awaiting-config';
  private lastDataMs: number | undefined;
  private readonly asks = new Map<number, StreamAsks>();

  constructor(readonly options: UdpSourceOptions) {
    checkRange('configTimeoutMs', options.configTimeoutMs, 1, 600_000);
    checkRange('maxConfigRequests', options.maxConfigRequests, 0, 100, true);
    checkRange('dataTimeoutMs', options.dataTimeoutMs, 1, 3_600_000);
    checkRange('maxStreams', options.maxStreams, 1, 65_536, true);
  }

  get state(): UdpSourceState {
    return this.current;
  }

  step(event: UdpSourceEvent): UdpSourceEffect[] {
    const out: UdpSourceEffect[] = [];
    switch (event.type) {
      case 'config':
        this.asks.delete(event.idcode);
        break;
      case 'data':
        this.lastDataMs = event.nowMs;
        if (this.current !== 'streaming')
          this.enter('streaming', out, this.current === 'silent' ? 'data again' : 'first data frame');
        if (event.configChangePending) this.ask(event.idcode, event.nowMs, out);
        break;
      case 'no-config':
      case 'config-mismatch':
        this.ask(event.idcode, event.nowMs, out);
        break;
      case 'tick':
        this.checkSilence(event.nowMs, out);
        break;
    }
    return out;
  }

  private checkSilence(nowMs: number, out: UdpSourceEffect[]): void {
    if (this.current !== 'streaming' || this.lastDataMs === undefined) return;
    const silentMs = nowMs - this.lastDataMs;
    if (silentMs < this.options.dataTimeoutMs) return;
    this.silences += 1;
    this.enter(
      'silent',
      out,
      `no data frame for ${silentMs} ms (dataTimeoutMs ${this.options.dataTimeoutMs})`,
    );
  }

  private ask(idcode: number, nowMs: number, out: UdpSourceEffect[]): void {
    let asks = this.asks.get(idcode);
    if (asks === undefined) {
      if (this.asks.size >= this.options.maxStreams) return;
      asks = { requests: 0, nextAskMs: nowMs };
      this.asks.set(idcode, asks);
    }
    if (nowMs < asks.nextAskMs || asks.requests >= this.options.maxConfigRequests) return;
    asks.requests += 1;
    asks.nextAskMs = nowMs + this.options.configTimeoutMs;
    this.configRequests += 1;
    invariant(this.asks.size <= this.options.maxStreams, 'tracked streams within maxStreams');
    out.push({ type: 'send', command: 'cfg2', idcode });
  }

  private enter(to: UdpSourceState, out: UdpSourceEffect[], why: string): void {
    out.push({ type: 'state', from: this.current, to, why });
    this.current = to;
  }
}
