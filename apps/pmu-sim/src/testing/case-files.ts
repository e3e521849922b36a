import { fileURLToPath } from 'node:url';

/** The MATPOWER cases vendored in the repository (data/cases, see its README for provenance). */
export const CASES_DIR = fileURLToPath(new URL('../../../../data/cases/', import.meta.url));

/** The path of a vendored case by its file name, e.g. `casePath('case14.m')`. */
export function casePath(file: string): string {
  return `${CASES_DIR}${file}`;
}
