/** The TypeScript entries of the apps, relative to the project root, for tests and benchmarks that start them. */
export const PMU_SIM_ENTRY = 'apps/pmu-sim/src/main.ts';
export const INGEST_ENTRY = 'apps/ingest/src/main.ts';
export const ESTIMATOR_ENTRY = 'apps/estimator/src/main.ts';
export const SUPERVISOR_ENTRY = 'apps/supervisor/src/main.ts';
export const CLUSTER_ENTRY = 'apps/cluster/src/main.ts';
