/** A process is an address ("host:port", the advertised address) plus an incarnation number; an excluded
 *  process never returns under the same identity, it rejoins with a higher incarnation. */
export interface ProcessId {
  readonly address: string;
  readonly incarnation: number;
}

/** A stable string key, for maps and sets keyed by process. */
export function processKey(p: ProcessId): string {
  return `${p.address}#${p.incarnation}`;
}

export function sameProcess(a: ProcessId, b: ProcessId): boolean {
  return a.address === b.address && a.incarnation === b.incarnation;
}

/** A total order on processes, used to break ties deterministically on every member alike. */
export function compareProcess(a: ProcessId, b: ProcessId): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.incarnation - b.incarnation;
}

export function formatProcess(p: ProcessId): string {
  return `${p.address}/${p.incarnation}`;
}
