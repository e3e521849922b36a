import { FileStorePathError } from '../errors/file-store-path-error';

/** Longest file path accepted, in UTF-16 code units. */
export const MAX_FILE_PATH_LENGTH = 1024;
/** Longest single segment between slashes. */
export const MAX_PATH_SEGMENT_LENGTH = 255;
/** The first character not allowed in a path: a control character (NUL included) or a backslash (a second
 *  separator on some systems). */
function forbiddenCharacter(path: string): { char: string; index: number } | null {
  for (let index = 0; index < path.length; index++) {
    const code = path.charCodeAt(index);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return { char: path[index], index };
  }
  return null;
}

/**
 * Returns `path` if it names a file of the store: 1..MAX_FILE_PATH_LENGTH characters, segments separated by '/',
 * none empty (no leading, trailing or double slash), none '.' or '..', no control character or backslash.
 * Throws FileStorePathError naming the rule broken.
 */
export function validateFilePath(path: string): string {
  if (typeof path !== 'string') throw new FileStorePathError(path, 'it must be a string');
  if (path.length === 0) throw new FileStorePathError(path, 'it is empty');
  if (path.length > MAX_FILE_PATH_LENGTH)
    throw new FileStorePathError(
      path,
      `it is ${path.length} characters long, at most ${MAX_FILE_PATH_LENGTH}`,
    );
  const bad = forbiddenCharacter(path);
  if (bad !== null)
    throw new FileStorePathError(
      path,
      `character U+${bad.char.charCodeAt(0).toString(16).padStart(4, '0')} at ${bad.index} is not allowed`,
    );
  const segments = path.split('/');
  segments.forEach((segment, i) => checkSegment(path, segment, i));
  return path;
}

function checkSegment(path: string, segment: string, index: number): void {
  if (segment.length === 0)
    throw new FileStorePathError(path, `segment ${index + 1} is empty (leading, trailing or double '/')`);
  if (segment === '..') throw new FileStorePathError(path, `segment ${index + 1} is '..'`);
  if (segment === '.') throw new FileStorePathError(path, `segment ${index + 1} is '.'`);
  if (segment.length > MAX_PATH_SEGMENT_LENGTH)
    throw new FileStorePathError(
      path,
      `segment ${index + 1} is ${segment.length} characters long, at most ${MAX_PATH_SEGMENT_LENGTH}`,
    );
}
