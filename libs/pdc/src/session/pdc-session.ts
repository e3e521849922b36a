import { invariant } from '../errors/check';
import { validateSessionOptions, type SessionOptions } from './session-options';
import type { SessionCommand, SessionEffect, SessionEvent, SessionState } from './session-types';

/** The longest wait for a repeated configuration request, in multiples of configTimeoutMs. */
const CONFIG_WAIT_GROWTH_LIMIT = 8;
/** Uniform numbers in [0, 1) from a seeded source; used only for reconnect jitter. */
export interface JitterSource {
  next(): number;
}

type StepFn = (e: SessionEvent, out: SessionEffect[]) => void;

/**
 * The PDC side of a C37.118 TCP session, as a pure state machine:
 * connect, ask for CFG-2, turn the stream on, watch the data, and on
 * silence, a refused configuration or a dropped connection, back off and
 * reconnect. A STAT "configuration change pending" bit or a data frame that
 * no longer matches its configuration makes it ask for CFG-2 again, and a
 * CFG-2 with a new CFGCNT is announced as `config-changed`.
 *
 * `step(event) -> effects`; the shell owns the socket and the one timer.
 */
export class PdcSession {
  readonly options: SessionOptions;
  private current: SessionState = 'idle';
  private deadlineMs = 0;
  private configRequests = 0;
  /** A CFG-2 request made while streaming is unanswered until this time (0: none). */
  private configAskedUntilMs = 0;
  private lastDataMs = 0;
  private failures = 0;
  private cfgcnt: readonly number[] | undefined;
  private readonly steps: Record<SessionState, StepFn>;

  constructor(
    options: SessionOptions,
    private readonly jitter: JitterSource,
  ) {
    this.options = validateSessionOptions(options);
    this.steps = {
      idle: (e, out) => this.stepIdle(e, out),
      connecting: (e, out) => this.stepConnecting(e, out),
      'awaiting-config': (e, out) => this.stepAwaitingConfig(e, out),
      streaming: (e, out) => this.stepStreaming(e, out),
      backoff: (e, out) => this.stepBackoff(e, out),
      stopped: () => undefined,
    };
  }

  get state(): SessionState {
    return this.current;
  }

  /** Consecutive connection attempts that failed before any data arrived. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  step(event: SessionEvent): SessionEffect[] {
    const out: SessionEffect[] = [];
    if (event.type === 'stop') this.stop(event.nowMs, out);
    else this.steps[this.current](event, out);
    return out;
  }

  private stepIdle(e: SessionEvent, out: SessionEffect[]): void {
    if (e.type === 'start') this.connect(e.nowMs, out, 'started');
  }

  private stepConnecting(e: SessionEvent, out: SessionEffect[]): void {
    if (e.type === 'connected') {
      this.configRequests = 0;
      this.askConfig(e.nowMs, out, 'connected');
    } else if (e.type === 'disconnected')
      this.backoff(e.nowMs, out, `connection failed: ${e.error ?? 'closed'}`);
    else if (e.type === 'tick') {
      if (e.nowMs >= this.deadlineMs)
        this.fail(e.nowMs, out, `connect timed out after ${this.options.connectTimeoutMs} ms`);
      else this.rearm(out);
    }
  }

  private stepAwaitingConfig(e: SessionEvent, out: SessionEffect[]): void {
    if (e.type === 'config') {
      this.acceptConfig(e.cfgcnt, out);
      out.push({ type: 'send', command: 'start', idcode: this.options.idcode });
      this.lastDataMs = e.nowMs;
      this.configAskedUntilMs = 0;
      this.enter('streaming', out, 'configuration received; stream turned on');
      this.arm(e.nowMs + this.options.dataTimeoutMs, out);
    } else if (e.type === 'disconnected')
      this.backoff(e.nowMs, out, `connection closed while waiting for CFG-2: ${e.error ?? 'closed'}`);
    else if (e.type === 'tick' && e.nowMs < this.deadlineMs) this.rearm(out);
    else if (e.type === 'tick') {
      if (this.configRequests < this.options.maxConfigRequests)
        this.askConfig(e.nowMs, out, 'CFG-2 request unanswered');
      else this.fail(e.nowMs, out, `no CFG-2 after ${this.configRequests} requests`);
    }
  }

  private stepStreaming(e: SessionEvent, out: SessionEffect[]): void {
    switch (e.type) {
      case 'data':
        this.lastDataMs = e.nowMs;
        this.failures = 0;
        if (e.configChangePending) this.reaskConfig(e.nowMs, out);
        return;
      case 'config':
        this.acceptConfig(e.cfgcnt, out);
        this.configAskedUntilMs = 0;
        return;
      case 'config-mismatch':
        this.reaskConfig(e.nowMs, out);
        return;
      case 'disconnected':
        this.backoff(e.nowMs, out, `connection closed: ${e.error ?? 'closed'}`);
        return;
      case 'tick':
        this.checkSilence(e.nowMs, out);
        return;
      default:
        return;
    }
  }

  private stepBackoff(e: SessionEvent, out: SessionEffect[]): void {
    if (e.type !== 'tick') return;
    if (e.nowMs >= this.deadlineMs) this.connect(e.nowMs, out, 'backoff elapsed');
    else this.rearm(out);
  }

  /**
   * A tick before the deadline (a timer that fired a millisecond early, or an
   * extra tick) must not leave the session without a timer, or it would wait forever.
   */
  private rearm(out: SessionEffect[]): void {
    out.push({ type: 'timer', atMs: this.deadlineMs });
  }

  private checkSilence(nowMs: number, out: SessionEffect[]): void {
    const silentMs = nowMs - this.lastDataMs;
    if (silentMs >= this.options.dataTimeoutMs) {
      this.fail(nowMs, out, `no data frame for ${silentMs} ms (dataTimeoutMs ${this.options.dataTimeoutMs})`);
      return;
    }
    if (this.configAskedUntilMs !== 0 && nowMs >= this.configAskedUntilMs) this.configAskedUntilMs = 0;
    this.arm(this.lastDataMs + this.options.dataTimeoutMs, out);
  }

  private connect(nowMs: number, out: SessionEffect[], why: string): void {
    out.push({ type: 'connect' });
    this.enter('connecting', out, why);
    this.arm(nowMs + this.options.connectTimeoutMs, out);
  }

  /**
   * Each repeat of an unanswered request waits twice as long as the one before (at most
   * CONFIG_WAIT_GROWTH_LIMIT times configTimeoutMs): a peer too loaded to answer in time gets the time, where a
   * fixed wait would drop the connection it was about to answer on and start again.
   */
  private askConfig(nowMs: number, out: SessionEffect[], why: string): void {
    this.configRequests += 1;
    out.push({ type: 'send', command: this.configCommand(), idcode: this.options.idcode });
    this.enter('awaiting-config', out, why);
    const growth = Math.min(CONFIG_WAIT_GROWTH_LIMIT, 2 ** Math.min(this.configRequests - 1, 30));
    this.arm(nowMs + this.options.configTimeoutMs * growth, out);
  }

  /** While streaming, ask again for CFG-2 at most once per `configTimeoutMs`. */
  private reaskConfig(nowMs: number, out: SessionEffect[]): void {
    if (this.configAskedUntilMs > nowMs) return;
    this.configAskedUntilMs = nowMs + this.options.configTimeoutMs;
    out.push({ type: 'send', command: this.configCommand(), idcode: this.options.idcode });
  }

  /** A PMU that does not serve CFG-3 leaves the request unanswered: the repeats ask for CFG-2. */
  private configCommand(): SessionCommand {
    return this.options.configFrame === 'cfg3' && this.configRequests <= 1 ? 'cfg3' : 'cfg2';
  }

  private acceptConfig(cfgcnt: readonly number[], out: SessionEffect[]): void {
    const previous = this.cfgcnt;
    const same =
      previous !== undefined &&
      previous.length === cfgcnt.length &&
      previous.every((c, i) => c === cfgcnt[i]);
    if (!same) out.push({ type: 'config-changed', cfgcnt: [...cfgcnt], previous });
    this.cfgcnt = [...cfgcnt];
  }

  /** Our side gives up on a live connection: close it, then back off. */
  private fail(nowMs: number, out: SessionEffect[], why: string): void {
    out.push({ type: 'close', reason: why, failed: true });
    this.backoff(nowMs, out, why);
  }

  private backoff(nowMs: number, out: SessionEffect[], why: string): void {
    this.failures += 1;
    const base = Math.min(
      this.options.reconnectMaxMs,
      this.options.reconnectMinMs * 2 ** Math.min(this.failures - 1, 30),
    );
    // Jitter in [base/2, base) spreads the reconnects of many sessions that failed together.
    const delay = Math.max(1, Math.round(base * (0.5 + 0.5 * this.jitter.next())));
    invariant(delay <= this.options.reconnectMaxMs, 'reconnect delay within reconnectMaxMs');
    this.enter('backoff', out, why);
    this.arm(nowMs + delay, out);
  }

  private stop(nowMs: number, out: SessionEffect[]): void {
    if (this.current === 'stopped') return;
    if (this.current === 'streaming')
      out.push({ type: 'send', command: 'stop', idcode: this.options.idcode });
    if (this.current === 'connecting' || this.current === 'awaiting-config' || this.current === 'streaming')
      out.push({ type: 'close', reason: 'session stopped', failed: false });
    this.deadlineMs = nowMs;
    this.enter('stopped', out, 'stopped');
  }

  private enter(to: SessionState, out: SessionEffect[], why: string): void {
    out.push({ type: 'state', from: this.current, to, why });
    this.current = to;
  }

  private arm(atMs: number, out: SessionEffect[]): void {
    this.deadlineMs = atMs;
    out.push({ type: 'timer', atMs });
  }
}
