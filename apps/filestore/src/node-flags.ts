/**
 * Flags for node that every file store replica runs with: the cluster's desired states (`nodeFlags` of the
 * filestore service) and the replica processes of the benchmark, the FFFS check and the process tests.
 *
 * `--initial-old-space-size=128` puts a 128 MB floor under V8's old-generation limit. A replica's live heap is small
 * (about 24 MB) while it moves tens of MB/s through short-lived buffers. With V8's own sizing the limit sat only
 * about 24 MB above the live heap, and V8 started the next major collection (marking on helper threads) almost as
 * soon as the last one ended: 25-35% of each replica's CPU under the benchmark's load went to major collections. With
 * the floor, a loaded replica runs a few major collections a run instead of two or three a second, and the CPU per
 * 1,000-record append over the three replicas fell by about a quarter (apps/filestore/README.md, Performance).
 * NODE_OPTIONS does not accept this flag, so it goes on node's command line.
 */
export const FILESTORE_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
