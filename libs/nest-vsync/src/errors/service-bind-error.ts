/** A socket of a cluster app (its vsync port, its HTTP port) cannot be bound; the message names the flag. */
export class ServiceBindError extends Error {
  override readonly name = 'ServiceBindError';

  constructor(
    readonly option: string,
    readonly address: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`${option} ${address} cannot be bound: ${reason(cause)}`);
  }
}

function reason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EADDRINUSE':
      return 'the address is already in use (pick another port, or 0 for any)';
    case 'EADDRNOTAVAIL':
      return "the address is not one of this machine's";
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    default:
      return e.message;
  }
}

/** A socket error from binding becomes a ServiceBindError naming the flag; anything else passes through. */
export function bindingFailure(error: unknown, option: string, address: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES')
    return new ServiceBindError(option, address, error as NodeJS.ErrnoException);
  return error;
}
