import { CaseFormatError } from '../errors/case-format-error';
import type { CaseBranch, CaseBus, CaseGen, PowerCase } from './power-case';

interface MatrixRow {
  readonly values: number[];
  readonly line: number;
}

interface RawCase {
  scalars: Map<string, { text: string; line: number }>;
  matrices: Map<string, { rows: MatrixRow[]; line: number }>;
}

const MIN_COLUMNS = { bus: 13, gen: 10, branch: 11 } as const;

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
function appendRows(text: string, line: number, rows: MatrixRow[], source: string, name: string): void {
  for (const piece of text.split(';')) {
    const tokens = piece
      .trim()
      .split(/[\s,]+/)
      .filter((t) => t !== '');
    if (tokens.length === 0) continue;
    rows.push({ values: tokens.map((t) => parseNumber(t, source, line, `mpc.${name}`)), line });
  }
}

/** Reads the `mpc.<name> = ...` assignments of a case file into raw scalars and matrices. */
function scan(text: string, source: string): RawCase {
  const raw: RawCase = { scalars: new Map(), matrices: new Map() };
  const lines = text.split(/\r?\n/);
  let matrix: { name: string; rows: MatrixRow[]; line: number } | undefined;
  let inCell = false;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let body = stripComment(lines[i]);
    if (inCell) {
      inCell = !body.includes('}');
      continue;
    }
    if (matrix !== undefined) {
      const close = body.indexOf(']');
      appendRows(close < 0 ? body : body.slice(0, close), lineNo, matrix.rows, source, matrix.name);
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
      matrix = { name, rows: [], line: lineNo };
      const close = body.indexOf(']');
      appendRows(body.slice(1, close < 0 ? undefined : close), lineNo, matrix.rows, source, name);
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
      lines.length,
      `expected ']' to close mpc.${matrix.name} opened on line ${matrix.line}`,
    );
  }
  return raw;
}

function requireMatrix(
  raw: RawCase,
  name: keyof typeof MIN_COLUMNS,
  source: string,
  lastLine: number,
): MatrixRow[] {
  const found = raw.matrices.get(name);
  if (found === undefined)
    throw new CaseFormatError(source, lastLine, `expected an 'mpc.${name} = [...]' matrix`);
  for (const row of found.rows) {
    if (row.values.length < MIN_COLUMNS[name]) {
      throw new CaseFormatError(
        source,
        row.line,
        `expected at least ${MIN_COLUMNS[name]} columns in mpc.${name}, found ${row.values.length}`,
      );
    }
  }
  return found.rows;
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
    if (!Number.isInteger(bus.id) || bus.id <= 0) {
      throw new CaseFormatError(source, bus.line, `expected a positive integer bus number, found ${bus.id}`);
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
 * error messages. Only the power-flow tables are read; OPF data and cell
 * arrays (bus names, fuel types) are skipped.
 */
export function parseMatpowerCase(text: string, source: string): PowerCase {
  const raw = scan(text, source);
  const lastLine = text.split('\n').length;
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
  if (!(baseMVA > 0))
    throw new CaseFormatError(source, base.line, `expected a positive baseMVA, found ${base.text}`);
  const buses = requireMatrix(raw, 'bus', source, lastLine).map(toBus);
  if (buses.length === 0)
    throw new CaseFormatError(source, raw.matrices.get('bus')!.line, 'expected at least one bus row');
  checkBuses(buses, source);
  const gens = (raw.matrices.has('gen') ? requireMatrix(raw, 'gen', source, lastLine) : []).map(toGen);
  const branches = requireMatrix(raw, 'branch', source, lastLine).map(toBranch);
  const name = source.replace(/^.*[\\/]/, '').replace(/\.m$/, '');
  const result: PowerCase = { name, baseMVA, buses, gens, branches };
  checkReferences(result, source);
  return result;
}
