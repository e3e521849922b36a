import { VsyncError } from '../../protocol';

/** An option given to a VsyncProcess or Group is missing or out of range; raised at construction with what to change. */
export class VsyncOptionsError extends VsyncError {
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super('BAD_OPTION', `invalid vsync option '${option}': ${detail}`);
  }
}
