import dgram from 'node:dgram';

/** Spontaneous C37.118 over UDP: every frame to every target, one frame per datagram. */
export class UdpFrameSender {
  framesSent = 0;
  sendErrors = 0;
  private readonly socket = dgram.createSocket('udp4');

  constructor(private readonly targets: readonly { readonly host: string; readonly port: number }[]) {
    this.socket.on('error', () => (this.sendErrors += 1));
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
}
