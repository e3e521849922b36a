import type { InfluxDB } from 'influx';
import { MEASUREMENTS } from './measurements';

/** Retention policies: points land in `raw` (the database's default); the continuous queries fill `downsampled`. */
export const RAW_POLICY = 'raw';
export const DOWNSAMPLED_POLICY = 'downsampled';
/** The downsampling period of every continuous query; the downsampled measurements are named `<raw>_1m`. */
export const DOWNSAMPLE_INTERVAL = '1m';

export interface RetentionOptions {
  /** InfluxQL durations, e.g. `7d`, `52w`. */
  readonly rawRetention: string;
  readonly downsampledRetention: string;
}

const into = (m: string): string => `"${DOWNSAMPLED_POLICY}"."${m}_1m"`;
const from = (m: string): string => `"${RAW_POLICY}"."${m}"`;

/** The continuous queries, by name: each averages or sums one raw measurement per minute into `downsampled`. */
export const CONTINUOUS_QUERIES: Readonly<Record<string, string>> = {
  cq_estimate_1m:
    'SELECT mean(cost) AS cost, mean(vm_min) AS vm_min, min(vm_min) AS vm_min_low, mean(vm_max) AS vm_max, ' +
    'max(vm_max) AS vm_max_high, mean(compute_ms_max) AS compute_ms_max, max(open_branches) AS open_branches, ' +
    'sum(bad_data_removed) AS bad_data_removed, count(cost) AS snapshots, sum(missing_areas) AS missing_areas ' +
    `INTO ${into(MEASUREMENTS.estimate)} FROM ${from(MEASUREMENTS.estimate)} ` +
    `GROUP BY time(${DOWNSAMPLE_INTERVAL}), source`,
  cq_bus_voltage_1m:
    'SELECT mean(vm) AS vm, min(vm) AS vm_min, max(vm) AS vm_max, mean(va_deg) AS va_deg ' +
    `INTO ${into(MEASUREMENTS.busVoltage)} FROM ${from(MEASUREMENTS.busVoltage)} ` +
    `GROUP BY time(${DOWNSAMPLE_INTERVAL}), bus, source`,
  cq_pmu_quality_1m:
    'SELECT sum(received) AS received, sum(missing) AS missing, sum(data_errors) AS data_errors, ' +
    'sum(unsynced) AS unsynced, mean(availability) AS availability ' +
    `INTO ${into(MEASUREMENTS.pmuQuality)} FROM ${from(MEASUREMENTS.pmuQuality)} ` +
    `GROUP BY time(${DOWNSAMPLE_INTERVAL}), idcode`,
};

/**
 * Makes the database ready: created if missing, `raw` the default policy with the configured duration, `downsampled`
 * beside it, and every continuous query in its current form (dropped and created again, since InfluxDB 1.x has no
 * ALTER CONTINUOUS QUERY). Safe to run at every start and from several recorders.
 */
export async function ensureSchema(influx: InfluxDB, database: string, o: RetentionOptions): Promise<void> {
  await influx.createDatabase(database);
  const existing = new Set((await influx.showRetentionPolicies(database)).map((p) => p.name));
  const policies: [string, string, boolean][] = [
    [RAW_POLICY, o.rawRetention, true],
    [DOWNSAMPLED_POLICY, o.downsampledRetention, false],
  ];
  for (const [name, duration, isDefault] of policies) {
    const options = { database, duration, replication: 1, isDefault };
    if (existing.has(name)) await influx.alterRetentionPolicy(name, options);
    else await influx.createRetentionPolicy(name, options);
  }
  const queries = new Set((await influx.showContinousQueries(database)).map((q) => q.name));
  for (const [name, query] of Object.entries(CONTINUOUS_QUERIES)) {
    if (queries.has(name)) await influx.dropContinuousQuery(name, database);
    await influx.createContinuousQuery(name, query, database);
  }
}
