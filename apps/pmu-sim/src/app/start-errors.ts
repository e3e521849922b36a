import { VsyncModuleOptionsError } from '@gridcloud/nest-vsync';
import { CaseFileError } from '../errors/case-file-error';
import { ListenError } from '../errors/listen-error';
import { SimConfigError } from '../errors/sim-config-error';

/** Errors that mean a setting, or what it names, cannot be used: one line and exit 2, not a crash. */
export function isStartError(error: unknown): boolean {
  return (
    error instanceof SimConfigError ||
    error instanceof CaseFileError ||
    error instanceof ListenError ||
    error instanceof VsyncModuleOptionsError
  );
}

/** A socket error from binding `address` becomes a ListenError naming the flag; anything else passes through. */
export function bindingFailure(error: unknown, option: string, address: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES')
    return new ListenError(option, address, error as NodeJS.ErrnoException);
  return error;
}
