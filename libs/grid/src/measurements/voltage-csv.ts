import { CsvFormatError } from '../errors/csv-format-error';
import type { Network } from '../network/network';
import type { BusVoltages } from '../powerflow/power-flow-solution';

export const VOLTAGE_CSV_HEADER = 'bus,vm,va_deg';

/** Bus voltages read from CSV; `present` marks buses that have a row. */
export interface ParsedVoltages extends BusVoltages {
  readonly present: Uint8Array;
}

/**
 * Formats bus voltages as `bus,vm,va_deg`, one row per bus where `include`
 * is 1 (all buses when omitted), with the shortest exact decimal numbers.
 */
export function formatVoltageCsv(net: Network, v: BusVoltages, include?: Uint8Array): string {
  const out = [VOLTAGE_CSV_HEADER];
  for (let i = 0; i < net.busCount; i++) {
    if (include !== undefined && include[i] === 0) continue;
    out.push(`${net.busIds[i]},${v.vm[i]},${(v.va[i] * 180) / Math.PI}`);
  }
  return `${out.join('\n')}\n`;
}

/** Parses a `bus,vm,va_deg` CSV against a network; errors name the CSV line. */
export function parseVoltageCsv(text: string, net: Network, source: string): ParsedVoltages {
  const lines = text.split(/\r?\n/);
  if (lines[0].trim() !== VOLTAGE_CSV_HEADER) {
    throw new CsvFormatError(
      source,
      1,
      `expected header '${VOLTAGE_CSV_HEADER}', found '${lines[0].trim()}'`,
    );
  }
  const vm = new Float64Array(net.busCount);
  const va = new Float64Array(net.busCount);
  const present = new Uint8Array(net.busCount);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const f = lines[i].split(',').map((x) => x.trim());
    if (f.length !== 3)
      throw new CsvFormatError(source, i + 1, `expected 3 comma-separated fields, found ${f.length}`);
    const id = Number(f[0]);
    const b = f[0] === '' || !Number.isInteger(id) ? -1 : net.indexOf(id);
    if (b < 0) throw new CsvFormatError(source, i + 1, `unknown bus '${f[0]}' (not in case ${net.caseName})`);
    if (present[b] === 1) throw new CsvFormatError(source, i + 1, `bus ${f[0]} appears twice`);
    const m = Number(f[1]);
    const a = Number(f[2]);
    if (f[1] === '' || !Number.isFinite(m))
      throw new CsvFormatError(source, i + 1, `expected a finite number for vm, found '${f[1]}'`);
    if (f[2] === '' || !Number.isFinite(a))
      throw new CsvFormatError(source, i + 1, `expected a finite number for va_deg, found '${f[2]}'`);
    vm[b] = m;
    va[b] = (a * Math.PI) / 180;
    present[b] = 1;
  }
  return { vm, va, present };
}
