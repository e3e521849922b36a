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

/** Per role, the CPU seconds used between two samples, summed over the role's processes. */
export function cpuSecondsByRole(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  roleOf: ReadonlyMap<number, string>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, end] of after) {
    const start = before.get(pid);
    const role = roleOf.get(pid);
    if (start === undefined || role === undefined) continue;
    out[role] = (out[role] ?? 0) + (end - start);
  }
  return out;
}

/** Each role's figure scaled by `factor` and rounded to `digits` decimals. */
export function scaled(byRole: Record<string, number>, factor: number, digits = 1): Record<string, number> {
  const unit = 10 ** digits;
  return Object.fromEntries(
    Object.entries(byRole).map(([role, v]) => [role, Math.round(v * factor * unit) / unit]),
  );
}
