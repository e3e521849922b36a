import { encodeConfig3Series } from '../codec/config3-series';
import { encodeFrame } from '../codec/encode';
import {
  COMMAND,
  MAX_FRAME_BYTES,
  type CommandFrame,
  type Config3Frame,
  type ConfigFrame,
  type FrameCommon,
} from '../codec/frame-types';
import type { FrameReject } from '../codec/reject';
import { StreamDecoder } from '../stream/stream-decoder';

/** What a PMU (or PDC) stream answers with: one per IDCODE served. */
export interface PmuIdentity {
  readonly cfg2: ConfigFrame;
  /** Sent for a CFG-1 request; defaults to the CFG-2 content with the CFG-1 type. */
  readonly cfg1?: ConfigFrame;
  /** Sent for a CFG-3 request; without one the request is refused (C37.118-2005 PMUs have none). */
  readonly cfg3?: Config3Frame;
  readonly header?: string;
}

/**
 * The streams one listener serves, by IDCODE, looked up on every command so
 * a stream whose configuration changed answers with the new one. A command
 * acts on the stream returned (its CFG-2 IDCODE), so a lookup may map other
 * IDCODEs to a stream: a single PMU answers whatever IDCODE a PDC puts in
 * its commands (pypmu's PDC sends its own).
 */
export type PmuStreams = (idcode: number) => PmuIdentity | undefined;

export type FrameTime = Pick<FrameCommon, 'soc' | 'fracsec'>;

/**
 * Inputs to one PDC connection's session. Time is always passed in. `received` is bytes of a TCP stream;
 * `datagram` is one UDP datagram, decoded on its own (a PMU sending spontaneously answers commands this way).
 */
export type PmuSessionEvent = {
  readonly type: 'received' | 'datagram';
  readonly bytes: Uint8Array;
  readonly now: FrameTime;
};

export type PmuSessionEffect =
  | { readonly type: 'send'; readonly bytes: Uint8Array }
  /** A command was understood (counted by the shell). */
  | { readonly type: 'command'; readonly idcode: number; readonly command: number }
  /** Data of `idcode` flows to this connection from now on (turn on), or no longer (turn off). */
  | { readonly type: 'subscribe' | 'unsubscribe'; readonly idcode: number }
  /** A frame the PMU side does not act on: a command for an IDCODE not served, an extended command, a non-command. */
  | { readonly type: 'refused'; readonly message: string }
  | { readonly type: 'reject'; readonly reject: FrameReject };

/** Command frames are 18 bytes (extended ones a little more); anything near this size from a PDC is garbage. */
export const MAX_COMMAND_FRAME_BYTES = 1024;

/**
 * The PMU side of one C37.118 connection as a pure state machine: commands
 * from the PDC go in as bytes, frames to send and subscription changes come
 * out as effects. Several streams (IDCODEs) share one connection; data of a
 * stream flows only between its "turn on" (start) and "turn off" (stop)
 * commands, as C37.118.2 section 6 requires. No sockets, no clock.
 */
export class PmuSession {
  private readonly on = new Set<number>();
  private readonly decoder: StreamDecoder;
  private readonly pending: PmuSessionEffect[] = [];
  /** Time of the event being handled, for stamping replies. */
  private now: FrameTime = { soc: 0, fracsec: 0 };

  constructor(
    private readonly streams: PmuStreams,
    maxFrameBytes = MAX_COMMAND_FRAME_BYTES,
  ) {
    this.decoder = new StreamDecoder(
      { maxFrameBytes },
      {
        onFrame: (f) =>
          f.kind === 'cmd'
            ? this.onCommand(f)
            : this.refuse(`a ${f.kind} frame for IDCODE ${f.idcode}; a PDC sends commands`),
        onData: (v) => this.refuse(`a data frame for IDCODE ${v.idcode}; a PDC sends commands`),
        onReject: (reject) => this.pending.push({ type: 'reject', reject }),
      },
    );
  }

  /** IDCODEs this connection has turned on. */
  get streaming(): ReadonlySet<number> {
    return this.on;
  }

  step(event: PmuSessionEvent): PmuSessionEffect[] {
    this.now = event.now;
    if (event.type === 'datagram') this.decoder.pushDatagram(event.bytes);
    else this.decoder.push(event.bytes);
    return this.pending.splice(0, this.pending.length);
  }

  /** The connection closed: every stream it turned on is off. */
  close(): PmuSessionEffect[] {
    const out: PmuSessionEffect[] = [...this.on].map((idcode) => ({ type: 'unsubscribe', idcode }));
    this.on.clear();
    return out;
  }

  private onCommand(cmd: CommandFrame): void {
    const identity = this.streams(cmd.idcode);
    if (identity === undefined)
      return this.refuse(`command ${cmd.command} for IDCODE ${cmd.idcode}, which is not served here`);
    const reply = this.replyTo(cmd, identity);
    if (reply === 'unsupported')
      return this.refuse(
        cmd.command === COMMAND.cfg3
          ? `CFG-3 request for IDCODE ${cmd.idcode}, which has no CFG-3`
          : `command ${cmd.command} for IDCODE ${cmd.idcode} is not supported (extended commands are ignored)`,
      );
    this.pending.push({ type: 'command', idcode: identity.cfg2.idcode, command: cmd.command });
    for (const bytes of reply) this.pending.push({ type: 'send', bytes });
  }

  /** The frames answering a command (none for turn on/off); a CFG-3 too large for one frame goes as a series. */
  private replyTo(cmd: CommandFrame, identity: PmuIdentity): Uint8Array[] | 'unsupported' {
    const { cfg2, cfg1, cfg3, header } = identity;
    const stamp = { soc: this.now.soc, fracsec: this.now.fracsec };
    switch (cmd.command) {
      case COMMAND.start:
        this.subscribe(cfg2.idcode, true);
        return [];
      case COMMAND.stop:
        this.subscribe(cfg2.idcode, false);
        return [];
      case COMMAND.header:
        return [
          encodeFrame({
            kind: 'header',
            version: cfg2.version,
            idcode: cfg2.idcode,
            timeQuality: cfg2.timeQuality,
            ...stamp,
            text: header ?? cfg2.pmus[0]?.stationName ?? '',
          }),
        ];
      case COMMAND.cfg1:
        return [encodeFrame({ ...(cfg1 ?? cfg2), kind: 'cfg1', ...stamp })];
      case COMMAND.cfg2:
        return [encodeFrame({ ...cfg2, ...stamp })];
      case COMMAND.cfg3:
        return cfg3 === undefined
          ? 'unsupported'
          : encodeConfig3Series({ ...cfg3, ...stamp, contIdx: 0 }, MAX_FRAME_BYTES);
      default:
        return 'unsupported';
    }
  }

  private subscribe(idcode: number, on: boolean): void {
    if (on === this.on.has(idcode)) return;
    if (on) this.on.add(idcode);
    else this.on.delete(idcode);
    this.pending.push({ type: on ? 'subscribe' : 'unsubscribe', idcode });
  }

  private refuse(message: string): void {
    this.pending.push({ type: 'refused', message });
  }
}
