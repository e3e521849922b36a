import dgram from 'node:dgram';
import { PmuSession, systemFrameTime, type PmuStreams } from '@gridcloud/c37118';

/** A PDC's CFG-2 (or header, CFG-1, CFG-3) request for a stream is answered at most this often. */
export const UDP_REPLY_INTERVAL_MS = 1000;
/** Streams whose last reply time is remembered; past it the oldest is forgotten. */
const MAX_REPLY_STREAMS = 65_536;

/**
 * Spontaneous C37.118 over UDP: every frame to every target, one frame per
 * datagram. Command datagrams sent back to its socket are answered as a PMU
 * would (libs/c37118's PmuSession decides the reply) to the address they came
 * from, at most once per stream per `UDP_REPLY_INTERVAL_MS`, so a flood of
 * spoofed requests cannot turn the simulator into an amplifier.
 */
export class UdpFrameSender {
  framesSent = 0;
  sendErrors = 0;
  /** Command datagrams answered, and those not (rate-limited, refused, or not a command). */
  repliesSent = 0;
  requestsIgnored = 0;
  private readonly socket = dgram.createSocket('udp4');
  private readonly session: PmuSession;
  private readonly lastReplyMs = new Map<number, number>();

  constructor(
    private readonly targets: readonly { readonly host: string; readonly port: number }[],
    streams: PmuStreams,
  ) {
    this.session = new PmuSession(streams);
    this.socket.on('error', () => (this.sendErrors += 1));
    this.socket.on('message', (msg, rinfo) => this.onRequest(msg, rinfo.address, rinfo.port));
  }

  send(bytes: Uint8Array): void {
    for (const t of this.targets) {
      this.socket.send(bytes, t.port, t.host, (error) => {
        if (error) this.sendErrors += 1;
      });
      this.framesSent += 1;
    }
  }

  close(): void {
    this.socket.close();
  }

  private onRequest(msg: Buffer, address: string, port: number): void {
    const nowMs = Date.now();
    let answered = false;
    for (const e of this.session.step({ type: 'datagram', bytes: msg, now: systemFrameTime() })) {
      if (e.type === 'command' && !this.mayReply(e.idcode, nowMs)) break;
      if (e.type !== 'send') continue;
      this.socket.send(e.bytes, port, address);
      answered = true;
    }
    if (answered) this.repliesSent += 1;
    else this.requestsIgnored += 1;
  }

  private mayReply(idcode: number, nowMs: number): boolean {
    const last = this.lastReplyMs.get(idcode);
    if (last !== undefined && nowMs - last < UDP_REPLY_INTERVAL_MS) return false;
    this.lastReplyMs.delete(idcode);
    if (this.lastReplyMs.size >= MAX_REPLY_STREAMS)
      this.lastReplyMs.delete(this.lastReplyMs.keys().next().value!);
    this.lastReplyMs.set(idcode, nowMs);
    return true;
  }
}
