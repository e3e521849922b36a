import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMatpowerCase } from '../case/matpower-parser';
import { Network } from '../network/network';

/** The MATPOWER cases vendored in the repository (data/cases, see its README for provenance). */
export const CASES_DIR = fileURLToPath(new URL('../../../../data/cases/', import.meta.url));

/** The path of a vendored case by its name without `.m`, e.g. `casePath('case14')`. */
export function casePath(name: string): string {
  return `${CASES_DIR}${name}.m`;
}

export function loadCaseNetwork(name: string): Network {
  return new Network(parseMatpowerCase(readFileSync(casePath(name), 'utf8'), `${name}.m`));
}

/** Small cases the unit specs run in full. */
export const SMALL_CASES = ['case14', 'case30', 'case57', 'case118', 'case300'] as const;
