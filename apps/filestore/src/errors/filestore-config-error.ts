/** A flag or variable of the file store is wrong; the message names which and why. */
export class FileStoreConfigError extends Error {
  override readonly name = 'FileStoreConfigError';
}
