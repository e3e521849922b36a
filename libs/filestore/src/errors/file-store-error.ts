/** Base class of every error the file store raises; `code` names the kind for HTTP mapping and logs. */
export class FileStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
