import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/** CPU time (user + system) of a process and its waited-for children, in seconds; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command (which may hold spaces) start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (utime + stime + cutime + cstime) / TICKS_PER_S;
}

/** Per role, the share of one core used between two samples (sum over the role's processes), in percent. */
export function cpuPercent(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  roleOf: ReadonlyMap<number, string>,
  seconds: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, end] of after) {
    const start = before.get(pid);
    const role = roleOf.get(pid);
    if (start === undefined || role === undefined) continue;
    out[role] = (out[role] ?? 0) + ((end - start) / seconds) * 100;
  }
  for (const role of Object.keys(out)) out[role] = Math.round(out[role] * 10) / 10;
  return out;
}
