import { compareProcess } from '../process-id';
import type { DataRecord } from '../wire-message';

/** The total order: Lamport time, ties broken by sender identity. Every member computes the same order from the same
 *  records, which is why a crashed member's deliveries can never contradict a survivor's. */
export function compareTotal(a: DataRecord, b: DataRecord): number {
  return a.lamport - b.lamport || compareProcess(a.sender, b.sender);
}

export function recordKey(r: DataRecord): string {
  return `${r.group}\u0000${r.sender.address}#${r.sender.incarnation}\u0000${r.epoch}\u0000${r.seq}`;
}
