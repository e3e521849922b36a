/** An option given to VsyncModule is missing or wrong; raised when the module is created, naming the option. */
export class VsyncModuleOptionsError extends Error {
  override readonly name = 'VsyncModuleOptionsError';

  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`${option} ${detail}`);
  }
}
