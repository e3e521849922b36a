/**
 * Flags for node we run vsync processes that move a high rate of messages with (the file store replicas, the
 * benchmark's members). The library cannot set them itself: they go on node's command line (NODE_OPTIONS does not
 * accept them), e.g. the desired state's `nodeFlags` of a service.
 *
 * `--initial-old-space-size=128` puts a 128 MB floor under V8's old-generation limit. Such a process keeps a small
 * live heap (20-30 MB) while it allocates fast (messages, frames, buffers). V8 then set the old generation's limit
 * only about as far above the live heap as its young generation is large, and started the next major collection
 * (marking on helper threads) almost as soon as the last one ended: two or three a second, 25-35% of a loaded file
 * store replica's CPU. With the floor, a few major collections run per benchmark run. Measured (libs/vsync/README.md
 * and apps/filestore/README.md, Performance): a quarter less CPU per append in the file store, about 15% less CPU per
 * message in the vsync benchmark. The cost: the heap may grow to about 128 MB before a major collection.
 */
export const HIGH_RATE_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];

/**
 * HIGH_RATE_NODE_FLAGS for such processes when they share the machine's cores with other busy processes (more busy
 * processes than cores, as the benchmark's three to seven members on two cores). `--no-parallel-scavenge` collects
 * the young generation on the main thread alone: with no core free, the helper threads it would hand the work to
 * wait for one while the main thread waits for them (a fifth of a loaded member's sleeps ended with a helper's
 * wake-up). Measured on two cores, three members all sending 1 KB sends, five interleaved pairs: CPU per message per
 * member lower in each pair, 1.200 to 1.174 µs on average; msgs/s 489,000 to 511,000 in three pairs, equal in two.
 * Where cores are free, parallel scavenging shortens the pauses and HIGH_RATE_NODE_FLAGS alone is the better choice.
 */
export const SHARED_CORES_NODE_FLAGS: readonly string[] = [...HIGH_RATE_NODE_FLAGS, '--no-parallel-scavenge'];
