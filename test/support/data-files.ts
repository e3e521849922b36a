import { fileURLToPath } from 'node:url';

/**
 * The data vendored in the repository (data/cases: MATPOWER cases, data/pcaps: C37.118 captures; their
 * READMEs give provenance and licences). Paths are absolute, so they hold whatever directory a test or
 * benchmark runs from and can be passed to child processes as they are.
 */
export const CASES_DIR = fileURLToPath(new URL('../../data/cases/', import.meta.url));
export const PCAPS_DIR = fileURLToPath(new URL('../../data/pcaps/', import.meta.url));

/** The path of a vendored MATPOWER case by its name without `.m`, e.g. `casePath('case14')`. */
export function casePath(name: string): string {
  return `${CASES_DIR}${name}.m`;
}

/** The path of a vendored capture by its file name, e.g. `pcapPath('C37.118_1PMU_TCP.pcap')`. */
export function pcapPath(file: string): string {
  return `${PCAPS_DIR}${file}`;
}
