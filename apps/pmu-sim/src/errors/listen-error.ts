/**
 * A socket could not be bound to the address an option names (in use, not
 * local, not permitted). A configuration error, not a crash: the message
 * names the option and the address, and the process exits 2 without a trace.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';

  constructor(
    readonly option: string,
    readonly address: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`${option} ${address} cannot be bound: ${describe(cause)}`);
  }
}

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EADDRINUSE':
      return 'the address is already in use (another process listens there; pick another port or 0 for any)';
    case 'EADDRNOTAVAIL':
      return "the address is not one of this machine's";
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    default:
      return e.message;
  }
}
