/**
 * `gridcloud powerflow --case C.m --out truth.csv [--setpoints generator|bus]`
 * solves the AC power flow of a MATPOWER case and writes `bus,vm,va_deg`.
 * Also exports the small helpers the other grid commands share.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatVoltageCsv, GridError, Network, parseMatpowerCase, solvePowerFlow } from '@gridcloud/grid';
import { fileLines } from '../input/file-lines';
import { INPUT_OPTIONS, INPUT_USAGE, inputBounds, type InputBounds } from '../input/input-options';
import { UsageError } from '../usage-error';

export { UsageError };

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

/** Parses argv, runs body, and turns every failure into a message and an exit code. */
export async function runCommand(
  name: string,
  usage: string,
  argv: string[],
  options: Options,
  body: (values: Values) => Promise<number> | number,
): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    return await body(values as Values);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const isUsage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`gridcloud ${name}: ${message}\n${isUsage ? `${usage}\n` : ''}`);
    return isUsage ? 2 : 1;
  }
}

export function requireString(values: Values, key: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing required option --${key}`);
  return v;
}

/** Streams a text file's lines within the line bound; a missing or unreadable file is a GridError naming it. */
export function readLines(path: string, what: string, bounds: InputBounds): Iterable<string> {
  return fileLines(path, what, bounds.maxLineBytes);
}

export function writeText(path: string, text: string, what: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new GridError(`cannot write ${what} '${path}': ${(error as Error).message}`);
  }
}

export function loadNetwork(path: string, bounds: InputBounds): Network {
  return new Network(parseMatpowerCase(readLines(path, 'case file', bounds), path, bounds));
}

const USAGE = [
  'usage: gridcloud powerflow --case C.m --out truth.csv [--setpoints generator|bus] [input bounds]',
  INPUT_USAGE,
].join('\n');

export async function run(argv: string[]): Promise<number> {
  const options: Options = {
    case: { type: 'string' },
    out: { type: 'string' },
    setpoints: { type: 'string' },
    ...INPUT_OPTIONS,
  };
  return runCommand('powerflow', USAGE, argv, options, (values) => {
    const net = loadNetwork(requireString(values, 'case'), inputBounds(values));
    const out = requireString(values, 'out');
    const setpoints = (values.setpoints as string | undefined) ?? 'generator';
    if (setpoints !== 'generator' && setpoints !== 'bus')
      throw new UsageError(`--setpoints must be 'generator' or 'bus', got '${setpoints}'`);
    const solution = solvePowerFlow(net, {
      tolerancePu: 1e-10,
      maxIterations: 30,
      setpointSource: setpoints,
    });
    // A NaN mismatch compares false against the tolerance and would pass for convergence.
    if (!Number.isFinite(solution.mismatchPu))
      throw new GridError(
        `power flow of ${net.caseName} produced a non-finite mismatch; check the case data`,
      );
    writeText(out, formatVoltageCsv(net, solution), 'truth CSV');
    process.stderr.write(
      `${net.caseName}: ${net.busCount} buses, converged in ${solution.iterations} iterations ` +
        `(largest mismatch ${solution.mismatchPu.toExponential(2)} pu)\n`,
    );
    return 0;
  });
}
