/**
 * A socket could not be bound to the address a flag names (in use, not local, not permitted). A configuration error,
 * not a crash: the message names the flag and the address, and the service exits 2 without a stack trace.
 */
export class ListenError extends Error {
  override readonly name: string = 'ListenError';

  constructor(
    readonly option: string,
    readonly address: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`${option} ${address} cannot be bound: ${describe(cause)}`);
  }
}

/** A socket error from binding becomes a ListenError naming the flag; anything else passes through unchanged. */
export function listenFailure(error: unknown, option: string, address: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES')
    return new ListenError(option, address, error as NodeJS.ErrnoException);
  return error;
}

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EADDRINUSE':
      return 'the address is already in use (another process listens there; pick another port, or 0 for any)';
    case 'EADDRNOTAVAIL':
      return "the address is not one of this machine's";
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    default:
      return e.message;
  }
}
