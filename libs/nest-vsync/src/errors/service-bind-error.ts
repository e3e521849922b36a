import { ListenError, listenFailure } from '@gridcloud/command-line';

/** A socket of a cluster app (its vsync port, its HTTP port) cannot be bound; the message names the flag. */
export class ServiceBindError extends ListenError {
  override readonly name: string = 'ServiceBindError';
}

/** A socket error from binding becomes a ServiceBindError naming the flag; anything else passes through. */
export function bindingFailure(error: unknown, option: string, address: string): unknown {
  return listenFailure(error, option, address) instanceof ListenError
    ? new ServiceBindError(option, address, error as NodeJS.ErrnoException)
    : error;
}
