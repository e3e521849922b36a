import { readFileSync } from 'node:fs';
import { VsyncOptionsError } from '../runtime/errors/vsync-options-error';
import { secretProblem } from '../security';
import { refoundSystem, type RefoundOptions } from '../runtime/refound';

/** `tsx libs/vsync/src/tools/refound-cli.ts --seeds h:p,... [--target h:p] [--bind-host H] [--advertise h:p]
 *  [--secret-file F]` (the system's secret file, when it runs keyed):
 *  after a total loss, re-founds the system at the target (default the first seed) if no seed reports a running one.
 *  Prints one JSON line. Exit 0 = re-founded, 1 = a system is live or the target did not found, 2 = bad arguments. */
function parse(argv: readonly string[]): RefoundOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (
      !['--seeds', '--target', '--bind-host', '--advertise', '--secret-file'].includes(name) ||
      value === undefined
    )
      throw new Error(
        `unknown or incomplete argument "${name}" (use --seeds h:p,... [--target h:p] [--bind-host H] [--advertise h:p] [--secret-file F])`,
      );
    flags.set(name, value);
  }
  const seeds = flags.get('--seeds')?.split(',').filter(Boolean);
  if (seeds === undefined || seeds.length === 0)
    throw new Error("--seeds is required: the system's seed list");
  return {
    seeds,
    target: flags.get('--target'),
    bindHost: flags.get('--bind-host'),
    advertiseAddress: flags.get('--advertise'),
    secret: readSecret(flags.get('--secret-file')),
  };
}

function readSecret(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(
      `--secret-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
  const problem = secretProblem(secret);
  if (problem !== undefined) throw new Error(`--secret-file: the secret in ${file} ${problem}`);
  return secret;
}

async function main(): Promise<number> {
  let options: RefoundOptions;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  try {
    const result = await refoundSystem(options);
    console.log(JSON.stringify(result));
    return result.outcome === 'refounded' ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return error instanceof VsyncOptionsError ? 2 : 1;
  }
}

void main().then((code) => (process.exitCode = code));
