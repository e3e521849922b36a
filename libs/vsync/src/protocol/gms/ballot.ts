import { compareProcess } from '../process-id';
import type { Ballot } from '../wire-message';

export function compareBallot(a: Ballot, b: Ballot): number {
  return a.round - b.round || compareProcess(a.leader, b.leader);
}

export function sameBallot(a: Ballot, b: Ballot): boolean {
  return compareBallot(a, b) === 0;
}

export function majorityOf(size: number): number {
  return Math.floor(size / 2) + 1;
}
