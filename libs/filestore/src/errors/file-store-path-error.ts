import { FileStoreError } from './file-store-error';

/** A file path the store refuses: says which rule it broke ('..', an empty segment, its length, a character). */
export class FileStorePathError extends FileStoreError {
  constructor(
    readonly path: unknown,
    readonly reason: string,
  ) {
    super('bad-path', `file path ${describe(path)} is not valid: ${reason}`);
  }
}

function describe(path: unknown): string {
  if (typeof path !== 'string') return `(a ${typeof path}, not a string)`;
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}...` : path);
}
