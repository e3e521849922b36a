import { HIGH_RATE_NODE_FLAGS } from '@gridcloud/vsync';

/**
 * Flags for node that every file store replica runs with: the cluster's desired states (`nodeFlags` of the
 * filestore service) and the replica processes of the benchmark, the FFFS check and the process tests. A replica is
 * a vsync process moving a high rate of bytes, so it takes vsync's HIGH_RATE_NODE_FLAGS (libs/vsync/src/runtime/
 * node-flags.ts says what they do and why). Under the file store benchmark's load, major collections took 25-35% of
 * each replica's CPU without them; with them, the CPU per 1,000-record append over the three replicas fell by about a
 * quarter (apps/filestore/README.md, Performance).
 */
export const FILESTORE_NODE_FLAGS: readonly string[] = HIGH_RATE_NODE_FLAGS;
