import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMatpowerCase } from '../case/matpower-parser';
import { Network } from '../network/network';

/** The repository's shared MATPOWER cases live beside the repo, in ../shared/cases. */
export const SHARED_CASES_DIR = fileURLToPath(new URL('../../../../../shared/cases/', import.meta.url));

export function sharedCasePath(name: string): string {
  return `${SHARED_CASES_DIR}${name}.m`;
}

export function loadSharedNetwork(name: string): Network {
  return new Network(parseMatpowerCase(readFileSync(sharedCasePath(name), 'utf8'), `${name}.m`));
}

/** Small shared cases the unit specs run in full. */
export const SMALL_CASES = ['case14', 'case30', 'case57', 'case118', 'case300'] as const;
