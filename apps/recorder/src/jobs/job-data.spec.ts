import { describe, expect, it } from 'vitest';
import { JobDataError } from '../errors/job-data-error';
import { toExportJobData, toReplayJobData } from './job-data';

describe('job data', () => {
  it('takes a window and the optional fields', () => {
    expect(toReplayJobData({ fromMs: 1, toMs: 2, areas: 3, csv: true }, 14)).toEqual({
      fromMs: 1,
      toMs: 2,
      areas: 3,
      csv: true,
    });
    expect(toExportJobData({ fromMs: 1, toMs: 1, source: 'replay', job: '42' })).toEqual({
      fromMs: 1,
      toMs: 1,
      source: 'replay',
      job: '42',
    });
  });

  it.each([
    [{ fromMs: 5, toMs: 4 }, /toMs must be a time in ms not before fromMs/],
    [{ fromMs: -1, toMs: 4 }, /fromMs must be a time/],
    [{ fromMs: 0, toMs: 8 * 24 * 3_600_000 }, /longer than/],
    [{ fromMs: 0, toMs: 1, areas: 15 }, /areas must be an integer in \[1, 14\]/],
    ['x', /must be an object/],
  ])('refuses %j, saying what is wrong', (data, message) => {
    expect(() => toReplayJobData(data, 14)).toThrow(JobDataError);
    expect(() => toReplayJobData(data, 14)).toThrow(message);
  });

  it('refuses a job id that could break out of the InfluxQL string', () => {
    expect(() => toExportJobData({ fromMs: 0, toMs: 1, job: "1' OR 1=1" })).toThrow(/job must be a job id/);
    expect(() => toExportJobData({ fromMs: 0, toMs: 1, source: 'other' })).toThrow(
      /source must be 'live' or 'replay'/,
    );
  });
});
