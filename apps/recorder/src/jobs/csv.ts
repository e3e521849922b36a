import type { SystemEstimate } from '@gridcloud/estimation';

/** The CSV layout of exported bus voltages: one row per (time, bus), time as ISO 8601 UTC with ms. */
export function csvHeader(): string {
  return 'time,source,bus,vm_pu,va_deg\n';
}

export function csvRow(timeMs: number, source: string, bus: string, vm: number, vaDeg: number): string {
  return `${new Date(timeMs).toISOString()},${source},${bus},${vm},${vaDeg}\n`;
}

/** The observable buses of each estimate, in case order. */
export function csvRows(estimates: readonly SystemEstimate[], busIds: Int32Array, source: string): string {
  let out = '';
  for (const e of estimates) {
    const timeMs = Math.round(e.timeSec * 1000);
    for (let i = 0; i < e.busCount; i += 1) {
      if (e.observable[i] !== 1) continue;
      const vm = Math.hypot(e.vRe[i], e.vIm[i]);
      out += csvRow(timeMs, source, String(busIds[i]), vm, (Math.atan2(e.vIm[i], e.vRe[i]) * 180) / Math.PI);
    }
  }
  return out;
}
