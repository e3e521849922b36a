import net from 'node:net';
import { COMMAND, encodeFrame, StreamDecoder, type CommandFrame, type FrameReject } from '@gridcloud/c37118';
import type { SimStream } from '../model/pmu-simulator';
import { ListenError } from '@gridcloud/command-line';
import { config3Of } from '../wire/config3';

export interface TcpServerCounters {
  connections: number;
  commands: number;
  /** Commands naming an IDCODE this simulator does not serve, or a command it does not implement. */
  refusedCommands: number;
  rejectedBytes: number;
  /** Frames not written because the client's socket buffer was over `maxSocketBufferBytes`. */
  framesSkippedSlowClient: number;
  refusedClients: number;
}

/** Command frames are 18 bytes; anything near this size from a client is garbage. */
const MAX_COMMAND_FRAME_BYTES = 1024;

/**
 * C37.118 over TCP, command driven: a client asks for a stream's CFG-2 (or
 * CFG-1, CFG-3, header) and turns its data on or off by IDCODE. One listener serves
 * every simulated stream; a connection may turn on several.
 */
export class TcpPmuServer {
  readonly counters: TcpServerCounters = {
    connections: 0,
    commands: 0,
    refusedCommands: 0,
    rejectedBytes: 0,
    framesSkippedSlowClient: 0,
    refusedClients: 0,
  };
  private readonly server: net.Server;
  private readonly clients = new Map<net.Socket, Set<number>>();
  /** Who turned each stream on: publishing a frame touches only its subscribers, not every client. */
  private readonly subscribers = new Map<number, Set<net.Socket>>();
  constructor(
    /** The stream's current configuration: it can change while clients are connected. */
    private readonly streamById: (idcode: number) => SimStream | undefined,
    private readonly limits: { readonly maxSocketBufferBytes: number; readonly maxTcpClients: number },
    private readonly log: (line: string) => void,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Listens; an address that cannot be bound rejects with a ListenError naming it (no stack trace for the user). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', (error) => reject(new ListenError('--tcp', `${host}:${port}`, error)));
      this.server.listen(port, host, () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  /** Sends a stream's frame to every client that turned it on. */
  publish(idcode: number, bytes: Uint8Array): void {
    const sockets = this.subscribers.get(idcode);
    if (sockets === undefined) return;
    for (const socket of sockets) {
      if (socket.writableLength > this.limits.maxSocketBufferBytes)
        this.counters.framesSkippedSlowClient += 1;
      else socket.write(bytes);
    }
  }

  close(): Promise<void> {
    for (const socket of this.clients.keys()) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    if (this.clients.size >= this.limits.maxTcpClients) {
      this.counters.refusedClients += 1;
      socket.destroy();
      return;
    }
    this.counters.connections += 1;
    socket.setNoDelay(true);
    const on = new Set<number>();
    this.clients.set(socket, on);
    const decoder = new StreamDecoder(
      { maxFrameBytes: MAX_COMMAND_FRAME_BYTES },
      {
        onFrame: (frame) =>
          frame.kind === 'cmd'
            ? this.command(socket, on, frame)
            : this.refuse(`a ${frame.kind} frame; clients send commands`),
        onReject: (r: FrameReject) => {
          this.counters.rejectedBytes += r.bytes;
          this.log(`tcp client ${socket.remoteAddress}:${socket.remotePort}: ${r.reason}: ${r.message}`);
        },
        onData: () => this.refuse('a data frame; clients send commands'),
      },
    );
    socket.on('data', (chunk) => decoder.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      for (const id of on) this.unsubscribe(socket, on, id);
      this.clients.delete(socket);
    });
  }

  private command(socket: net.Socket, on: Set<number>, cmd: CommandFrame): void {
    this.counters.commands += 1;
    const stream = this.streamById(cmd.idcode);
    if (stream === undefined)
      return this.refuse(
        `command ${cmd.command} for IDCODE ${cmd.idcode}, which this simulator does not serve`,
      );
    const time = { soc: Math.floor(Date.now() / 1000), fracsec: 0 };
    switch (cmd.command) {
      case COMMAND.start:
        on.add(cmd.idcode);
        if (!this.subscribers.has(cmd.idcode)) this.subscribers.set(cmd.idcode, new Set());
        this.subscribers.get(cmd.idcode)!.add(socket);
        return;
      case COMMAND.stop:
        this.unsubscribe(socket, on, cmd.idcode);
        return;
      case COMMAND.cfg1:
      case COMMAND.cfg2:
        socket.write(
          encodeFrame({ ...stream.config, ...time, kind: cmd.command === COMMAND.cfg1 ? 'cfg1' : 'cfg2' }),
        );
        return;
      case COMMAND.header:
        socket.write(
          encodeFrame({
            kind: 'header',
            version: stream.config.version,
            idcode: stream.idcode,
            ...time,
            timeQuality: stream.config.timeQuality,
            text: headerText(stream),
          }),
        );
        return;
      case COMMAND.cfg3:
        socket.write(encodeFrame({ ...config3Of(stream.config), ...time }));
        return;
      default:
        // Extended frames carry nothing the simulator acts on; the standard lets a PMU ignore them.
        return this.refuse(
          `command ${cmd.command} for IDCODE ${cmd.idcode} is not supported (extended commands are ignored)`,
        );
    }
  }

  private unsubscribe(socket: net.Socket, on: Set<number>, idcode: number): void {
    on.delete(idcode);
    const sockets = this.subscribers.get(idcode);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.subscribers.delete(idcode);
  }

  private refuse(what: string): void {
    this.counters.refusedCommands += 1;
    this.log(`tcp client sent ${what}`);
  }
}

function headerText(s: SimStream): string {
  const pmus = s.pmus.map((p) => `${p.idcode}@bus${p.busId}`).join(' ');
  return `GridCloud PMU simulator stream ${s.idcode}: phasors in per unit on the case base, rectangular float; PMUs ${pmus}`.slice(
    0,
    60_000,
  );
}
