import { encodeFrame } from '../codec/encode';
import {
  COMMAND,
  type CommandFrame,
  type Config3Frame,
  type ConfigFrame,
  type FrameCommon,
} from '../codec/frame-types';
import type { FrameReject } from '../codec/reject';
import { StreamDecoder } from '../stream/stream-decoder';

export interface PmuIdentity {
  readonly cfg2: ConfigFrame;
  /** Sent for a CFG-1 request; defaults to the CFG-2 content with the CFG-1 type. */
  readonly cfg1?: ConfigFrame;
  readonly cfg3?: Config3Frame;
  readonly header?: string;
}

export type FrameTime = Pick<FrameCommon, 'soc' | 'fracsec'>;

/** Inputs to one PDC connection's session. Time is always passed in. */
export type PmuSessionEvent =
  | { readonly type: 'received'; readonly bytes: Uint8Array; readonly now: FrameTime }
  /** The application has a data frame (already encoded) for this stream. */
  | { readonly type: 'data'; readonly frame: Uint8Array };

export type PmuSessionEffect =
  | { readonly type: 'send'; readonly bytes: Uint8Array }
  | { readonly type: 'command'; readonly command: number }
  | { readonly type: 'reject'; readonly reject: FrameReject };

/**
 * The PMU side of one C37.118 TCP connection as a pure state machine:
 * commands from the PDC go in as bytes, frames to send come out as effects.
 * Data frames flow only between a "turn on" (start) and a "turn off" (stop)
 * command, as C37.118.2 section 6 requires. No sockets, no clock.
 */
export class PmuSession {
  private streaming = false;
  private readonly decoder: StreamDecoder;
  private readonly pending: PmuSessionEffect[] = [];
  /** Time of the event being handled, for stamping replies. */
  private now: FrameTime = { soc: 0, fracsec: 0 };

  constructor(
    private readonly identity: PmuIdentity,
    maxFrameBytes: number,
  ) {
    this.decoder = new StreamDecoder(
      { maxFrameBytes },
      {
        onFrame: (f) => (f.kind === 'cmd' ? this.onCommand(f) : undefined),
        onReject: (reject) => this.pending.push({ type: 'reject', reject }),
      },
    );
  }

  get isStreaming(): boolean {
    return this.streaming;
  }

  step(event: PmuSessionEvent): PmuSessionEffect[] {
    if (event.type === 'data') return this.streaming ? [{ type: 'send', bytes: event.frame }] : [];
    this.now = event.now;
    this.decoder.push(event.bytes);
    return this.pending.splice(0, this.pending.length);
  }

  private onCommand(cmd: CommandFrame): void {
    this.pending.push({ type: 'command', command: cmd.command });
    const reply = this.replyTo(cmd.command);
    if (reply !== undefined) this.pending.push({ type: 'send', bytes: reply });
  }

  private replyTo(command: number): Uint8Array | undefined {
    const { cfg2, cfg1, cfg3, header } = this.identity;
    const stamp = { soc: this.now.soc, fracsec: this.now.fracsec };
    switch (command) {
      case COMMAND.start:
        this.streaming = true;
        return undefined;
      case COMMAND.stop:
        this.streaming = false;
        return undefined;
      case COMMAND.header:
        return encodeFrame({
          kind: 'header',
          version: cfg2.version,
          idcode: cfg2.idcode,
          timeQuality: cfg2.timeQuality,
          ...stamp,
          text: header ?? cfg2.pmus[0].stationName,
        });
      case COMMAND.cfg1:
        return encodeFrame({ ...(cfg1 ?? cfg2), kind: 'cfg1', ...stamp });
      case COMMAND.cfg2:
        return encodeFrame({ ...cfg2, ...stamp });
      case COMMAND.cfg3:
        return cfg3 === undefined ? undefined : encodeFrame({ ...cfg3, ...stamp });
      default:
        return undefined;
    }
  }
}
