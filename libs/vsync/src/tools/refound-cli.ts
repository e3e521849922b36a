import { VsyncOptionsError } from '../runtime/errors/vsync-options-error';
import { refoundSystem, type RefoundOptions } from '../runtime/refound';

/** `tsx libs/vsync/src/tools/refound-cli.ts --seeds h:p,h:p,... [--target h:p] [--bind-host H] [--advertise h:p]`:
 *  after a total loss, re-founds the system at the target (default the first seed) if no seed reports a running one.
 *  Prints one JSON line. Exit 0 = re-founded, 1 = a system is live or the target did not found, 2 = bad arguments. */
function parse(argv: readonly string[]): RefoundOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (!['--seeds', '--target', '--bind-host', '--advertise'].includes(name) || value === undefined)
      throw new Error(
        `unknown or incomplete argument "${name}" (use --seeds h:p,... [--target h:p] [--bind-host H] [--advertise h:p])`,
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
  };
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
