import { linesOf, type TextLines } from '../case/text-lines';
import { CsvFormatError } from '../errors/csv-format-error';
import { GridError } from '../errors/grid-error';
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
    if (!Number.isFinite(v.vm[i]) || !Number.isFinite(v.va[i]))
      throw new GridError(
        `voltage of bus ${net.busIds[i]} is not finite (vm ${v.vm[i]}, va ${v.va[i]} rad); not written`,
      );
    out.push(`${net.busIds[i]},${v.vm[i]},${(v.va[i] * 180) / Math.PI}`);
  }
  return `${out.join('\n')}\n`;
}

/** Parses a `bus,vm,va_deg` CSV against a network, line by line; errors name the CSV line. */
export function parseVoltageCsv(text: TextLines, net: Network, source: string): ParsedVoltages {
  const parsed: ParsedVoltages = {
    vm: new Float64Array(net.busCount),
    va: new Float64Array(net.busCount),
    present: new Uint8Array(net.busCount),
  };
  let line = 0;
  for (const row of linesOf(text)) {
    line += 1;
    if (line === 1 && row.trim() !== VOLTAGE_CSV_HEADER) {
      throw new CsvFormatError(source, 1, `expected header '${VOLTAGE_CSV_HEADER}', found '${row.trim()}'`);
    }
    if (line > 1 && row.trim() !== '') voltageRow(row, net, source, line, parsed);
  }
  return parsed;
}

/** Reads one `bus,vm,va_deg` row into `into`; a bus can appear once, so rows are bounded by the bus count. */
function voltageRow(text: string, net: Network, source: string, line: number, into: ParsedVoltages): void {
  const f = text.split(',').map((x) => x.trim());
  if (f.length !== 3)
    throw new CsvFormatError(source, line, `expected 3 comma-separated fields, found ${f.length}`);
  const id = Number(f[0]);
  const b = f[0] === '' || !Number.isInteger(id) ? -1 : net.indexOf(id);
  if (b < 0) throw new CsvFormatError(source, line, `unknown bus '${f[0]}' (not in case ${net.caseName})`);
  if (into.present[b] === 1) throw new CsvFormatError(source, line, `bus ${f[0]} appears twice`);
  const m = Number(f[1]);
  const a = Number(f[2]);
  if (f[1] === '' || !Number.isFinite(m))
    throw new CsvFormatError(source, line, `expected a finite number for vm, found '${f[1]}'`);
  if (f[2] === '' || !Number.isFinite(a))
    throw new CsvFormatError(source, line, `expected a finite number for va_deg, found '${f[2]}'`);
  into.vm[b] = m;
  into.va[b] = (a * Math.PI) / 180;
  into.present[b] = 1;
}
