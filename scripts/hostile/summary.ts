/** One attack's record, as test/hostile/vsync-rig.ts writes it (one JSON line each). */
export interface AttackRecord {
  readonly attack: string;
  readonly survived: boolean;
  readonly forgedAccepted: number;
  readonly outage: number;
  readonly maxRssMb: number;
}

/** The counts vitest's JSON reporter gives for the suite. */
export interface SuiteCounts {
  readonly numTotalTests: number;
  readonly numPassedTests: number;
}

/** The one line `npm run hostile -- --json` prints. */
export interface HostileSummary {
  readonly attacks: number;
  readonly survived: number;
  readonly forgedAccepted: number;
  readonly outages: number;
  readonly maxRssMb: number;
}

/**
 * Every test of the attack suite is one attack; it survived if its test passed (each asserts that the target kept
 * running, refused and counted the input and kept serving). Forged acceptances and outages come from the records the
 * group-library attacks leave, keyed and open alike; a failed test whose record is missing still counts as not
 * survived.
 */
export function summarize(suite: SuiteCounts, records: readonly AttackRecord[]): HostileSummary {
  return {
    attacks: suite.numTotalTests,
    survived: suite.numPassedTests,
    forgedAccepted: records.reduce((sum, r) => sum + r.forgedAccepted, 0),
    outages: records.reduce((sum, r) => sum + r.outage, 0),
    maxRssMb: records.reduce((most, r) => Math.max(most, r.maxRssMb), 0),
  };
}

/** Parses the records file; lines that are not records are an error naming the line. */
export function parseRecords(text: string): AttackRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, index) => {
      const record = JSON.parse(line) as AttackRecord;
      if (typeof record.attack !== 'string' || typeof record.forgedAccepted !== 'number')
        throw new Error(`attack record ${index + 1} is not a record: ${line.slice(0, 80)}`);
      return record;
    });
}
