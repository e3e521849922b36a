import { CaseFormatError } from '../errors/case-format-error';
import { DEFAULT_INPUT_LIMITS, MAX_BUS_NUMBER, validateInputLimits, type InputLimits } from './input-limits';
import type { CaseBranch, CaseBus, CaseGen, PowerCase } from './power-case';
import { linesOf, type TextLines } from './text-lines';

interface MatrixRow {
  readonly values: number[];
  readonly line: number;
}

interface RawCase {
  scalars: Map<string, { text: string; line: number }>;
  matrices: Map<string, { rows: MatrixRow[]; line: number }>;
  /** Number of the file's last line, for errors about something missing. */
  lastLine: number;
}

/** A matrix being read: rows are kept only for the tables the grid uses, but counted for all. */
interface OpenMatrix {
  readonly name: string;
  readonly rows: MatrixRow[];
  readonly line: number;
  readonly keep: boolean;
  count: number;
}

const MIN_COLUMNS = { bus: 13, gen: 10, branch: 11 } as const;

/** The columns each table uses (MATPOWER names, 1-based as in its documentation); they must be finite. */
const USED_COLUMNS: Record<keyof typeof MIN_COLUMNS, readonly [number, string][]> = {
  bus: [
    [1, 'bus_i'],
    [2, 'type'],
    [3, 'Pd'],
    [4, 'Qd'],
    [5, 'Gs'],
    [6, 'Bs'],
    [7, 'area'],
    [8, 'Vm'],
    [9, 'Va'],
  ],
  gen: [
    [1, 'bus'],
    [2, 'Pg'],
    [3, 'Qg'],
    [6, 'Vg'],
    [8, 'status'],
  ],
  branch: [
    [1, 'fbus'],
    [2, 'tbus'],
    [3, 'r'],
    [4, 'x'],
    [5, 'b'],
    [9, 'ratio'],
    [10, 'angle'],
    [11, 'status'],
  ],
};

/** Strips a `%` comment; MATPOWER numeric sections never contain `%` inside strings. */
function stripComment(line: string): string {
  const at = line.indexOf('%');
  return at < 0 ? line : line.slice(0, at);
}

function parseNumber(token: string, source: string, line: number, where: string): number {
  const value = token === 'Inf' || token === '+Inf' ? Infinity : token === '-Inf' ? -Infinity : Number(token);
  if (token === '' || Number.isNaN(value)) {
    throw new CaseFormatError(source, line, `expected a number in ${where}, found '${token}'`);
  }
  return value;
}

/** Splits matrix text into rows; a row ends at `;` or at the end of a line. */
function appendRows(text: string, line: number, m: OpenMatrix, source: string, limits: InputLimits): void {
  for (const piece of text.split(';')) {
    const tokens = piece
      .trim()
      .split(/[\s,]+/)
      .filter((t) => t !== '');
    if (tokens.length === 0) continue;
    if (m.count === limits.maxCaseRows) {
      throw new CaseFormatError(
        source,
        line,
        `mpc.${m.name} has more than ${limits.maxCaseRows} rows (--max-case-rows)`,
      );
    }
    m.count += 1;
    const values = tokens.map((t) => parseNumber(t, source, line, `mpc.${m.name}`));
    if (m.keep) m.rows.push({ values, line });
  }
}

function openMatrix(name: string, line: number): OpenMatrix {
  return { name, rows: [], line, keep: name in MIN_COLUMNS, count: 0 };
}

/** Reads the `mpc.<name> = ...` assignments of a case file into raw scalars and matrices. */
function scan(text: TextLines, source: string, limits: InputLimits): RawCase {
  const raw: RawCase = { scalars: new Map(), matrices: new Map(), lastLine: 0 };
  let matrix: OpenMatrix | undefined;
  let inCell = false;
  for (const line of linesOf(text)) {
    const lineNo = ++raw.lastLine;
    let body = stripComment(line);
    if (inCell) {
      inCell = !body.includes('}');
      continue;
    }
    if (matrix !== undefined) {
      const close = body.indexOf(']');
      appendRows(close < 0 ? body : body.slice(0, close), lineNo, matrix, source, limits);
      if (close >= 0) {
        raw.matrices.set(matrix.name, { rows: matrix.rows, line: matrix.line });
        matrix = undefined;
      }
      continue;
    }
    const m = /^\s*mpc\.(\w+)\s*=\s*(.*)$/.exec(body);
    if (m === null) continue;
    const [, name, rest] = m;
    body = rest.trim();
    if (body.startsWith('{')) {
      inCell = !body.includes('}');
    } else if (body.startsWith('[')) {
      matrix = openMatrix(name, lineNo);
      const close = body.indexOf(']');
      appendRows(body.slice(1, close < 0 ? undefined : close), lineNo, matrix, source, limits);
      if (close >= 0) {
        raw.matrices.set(name, { rows: matrix.rows, line: lineNo });
        matrix = undefined;
      }
    } else {
      raw.scalars.set(name, { text: body.replace(/;\s*$/, '').trim(), line: lineNo });
    }
  }
  if (matrix !== undefined) {
    throw new CaseFormatError(
      source,
      raw.lastLine,
      `expected ']' to close mpc.${matrix.name} opened on line ${matrix.line}`,
    );
  }
  return raw;
}

function requireMatrix(raw: RawCase, name: keyof typeof MIN_COLUMNS, source: string): MatrixRow[] {
  const found = raw.matrices.get(name);
  if (found === undefined)
    throw new CaseFormatError(source, raw.lastLine, `expected an 'mpc.${name} = [...]' matrix`);
  for (const row of found.rows) {
    if (row.values.length < MIN_COLUMNS[name]) {
      throw new CaseFormatError(
        source,
        row.line,
        `expected at least ${MIN_COLUMNS[name]} columns in mpc.${name}, found ${row.values.length}`,
      );
    }
    requireFinite(row, name, source);
  }
  return found.rows;
}

/** Inf is legal MATPOWER (limits, ratings) but not in a column the power flow or estimator computes with. */
function requireFinite(row: MatrixRow, name: keyof typeof MIN_COLUMNS, source: string): void {
  for (const [column, label] of USED_COLUMNS[name]) {
    const v = row.values[column - 1];
    if (!Number.isFinite(v)) {
      throw new CaseFormatError(
        source,
        row.line,
        `mpc.${name} column ${column} (${label}) must be a finite number, found ${v > 0 ? 'Inf' : '-Inf'}`,
      );
    }
  }
}

function toBus(r: MatrixRow): CaseBus {
  const v = r.values;
  return {
    id: v[0],
    type: v[1],
    pd: v[2],
    qd: v[3],
    gs: v[4],
    bs: v[5],
    area: v[6],
    vm: v[7],
    vaDeg: v[8],
    line: r.line,
  };
}

function toGen(r: MatrixRow): CaseGen {
  const v = r.values;
  return { bus: v[0], pg: v[1], qg: v[2], vg: v[5], inService: v[7] > 0, line: r.line };
}

function toBranch(r: MatrixRow): CaseBranch {
  const v = r.values;
  return {
    from: v[0],
    to: v[1],
    r: v[2],
    x: v[3],
    b: v[4],
    ratio: v[8],
    angleDeg: v[9],
    inService: v[10] > 0,
    line: r.line,
  };
}

function checkBuses(buses: CaseBus[], source: string): void {
  const seen = new Set<number>();
  for (const bus of buses) {
    if (!Number.isInteger(bus.id)) {
      throw new CaseFormatError(source, bus.line, `expected a positive integer bus number, found ${bus.id}`);
    }
    if (bus.id < 1 || bus.id > MAX_BUS_NUMBER) {
      throw new CaseFormatError(
        source,
        bus.line,
        `bus number ${bus.id} is outside the supported range 1..${MAX_BUS_NUMBER}`,
      );
    }
    if (!Number.isInteger(bus.area) || bus.area < 0 || bus.area > MAX_BUS_NUMBER) {
      throw new CaseFormatError(
        source,
        bus.line,
        `expected an area number in 0..${MAX_BUS_NUMBER}, found ${bus.area}`,
      );
    }
    if (seen.has(bus.id)) throw new CaseFormatError(source, bus.line, `bus number ${bus.id} appears twice`);
    if (![1, 2, 3, 4].includes(bus.type)) {
      throw new CaseFormatError(source, bus.line, `expected bus type 1, 2, 3 or 4, found ${bus.type}`);
    }
    seen.add(bus.id);
  }
}

function checkReferences(c: PowerCase, source: string): void {
  const ids = new Set(c.buses.map((b) => b.id));
  for (const g of c.gens) {
    if (!ids.has(g.bus)) throw new CaseFormatError(source, g.line, `generator at unknown bus ${g.bus}`);
  }
  for (const br of c.branches) {
    if (!ids.has(br.from) || !ids.has(br.to)) {
      throw new CaseFormatError(source, br.line, `branch ${br.from}-${br.to} refers to an unknown bus`);
    }
    if (br.inService && br.r === 0 && br.x === 0) {
      throw new CaseFormatError(
        source,
        br.line,
        `in-service branch ${br.from}-${br.to} has zero impedance (r = x = 0)`,
      );
    }
  }
}

/**
 * Parses a MATPOWER case file (format version 2). `source` names the file in
 * error messages. Only the power-flow tables are kept; OPF data and cell
 * arrays (bus names, fuel types) are skipped. Every matrix is bounded by
 * `limits.maxCaseRows`, every used column must be finite and bus numbers must
 * fit the 32-bit range the network holds them in.
 */
export function parseMatpowerCase(
  text: TextLines,
  source: string,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): PowerCase {
  const raw = scan(text, source, validateInputLimits(limits));
  const lastLine = raw.lastLine;
  const version = raw.scalars.get('version');
  if (version !== undefined && version.text.replace(/['"]/g, '') !== '2') {
    throw new CaseFormatError(
      source,
      version.line,
      `expected MATPOWER case format version '2', found ${version.text}`,
    );
  }
  const base = raw.scalars.get('baseMVA');
  if (base === undefined)
    throw new CaseFormatError(source, lastLine, "expected an 'mpc.baseMVA = <number>;' line");
  const baseMVA = parseNumber(base.text, source, base.line, 'mpc.baseMVA');
  if (!(baseMVA > 0 && Number.isFinite(baseMVA)))
    throw new CaseFormatError(source, base.line, `expected a positive finite baseMVA, found ${base.text}`);
  const buses = requireMatrix(raw, 'bus', source).map(toBus);
  if (buses.length === 0)
    throw new CaseFormatError(source, raw.matrices.get('bus')!.line, 'expected at least one bus row');
  checkBuses(buses, source);
  const gens = (raw.matrices.has('gen') ? requireMatrix(raw, 'gen', source) : []).map(toGen);
  const branches = requireMatrix(raw, 'branch', source).map(toBranch);
  const name = source.replace(/^.*[\\/]/, '').replace(/\.m$/, '');
  const result: PowerCase = { name, baseMVA, buses, gens, branches };
  checkReferences(result, source);
  return result;
}
