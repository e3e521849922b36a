import { describe, expect, it } from 'vitest';
import { parseRecords, summarize } from './summary';

describe('the hostile summary', () => {
  it('counts tests as attacks and sums what the records say', () => {
    const records = parseRecords(
      [
        '{"attack":"a","survived":true,"forgedAccepted":0,"outage":0,"maxRssMb":90}',
        '',
        '{"attack":"b","survived":false,"forgedAccepted":2,"outage":1,"maxRssMb":300}',
      ].join('\n'),
    );
    expect(summarize({ numTotalTests: 5, numPassedTests: 4 }, records)).toEqual({
      attacks: 5,
      survived: 4,
      forgedAccepted: 2,
      outages: 1,
      maxRssMb: 300,
    });
  });

  it('refuses a line that is not a record', () => {
    expect(() => parseRecords('{"nope":1}')).toThrow(/record 1/);
  });
});
