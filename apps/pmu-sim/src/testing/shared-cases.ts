import { fileURLToPath } from 'node:url';

/** The shared MATPOWER cases live beside the repository, in ../shared/cases. */
export const SHARED_CASES_DIR = fileURLToPath(new URL('../../../../../shared/cases/', import.meta.url));
