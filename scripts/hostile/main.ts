/**
 * npm run hostile [-- --json] [-- --filter <path part>]: runs the attack suite (test/hostile: the group library's
 * attacks and fuzzer, keyed and open, ingest's and the command line's) against real processes and prints one line:
 * {"attacks":N,"survived":N,"forgedAccepted":0,"outages":0,"maxRssMb":..}. Exit 0 only if every attack was survived
 * with nothing forged accepted and no outage; 1 otherwise; 2 for bad arguments. Without --json the suite's own
 * output goes to stderr as it runs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRecords, summarize, type SuiteCounts } from './summary';

interface Arguments {
  readonly json: boolean;
  readonly filter: string;
}

function parseArguments(argv: readonly string[]): Arguments {
  let json = false;
  let filter = 'test/hostile';
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--filter' && argv[i + 1] !== undefined) filter = argv[++i];
    else {
      process.stderr.write(`hostile: unknown argument '${argv[i]}' (use --json, --filter <path part>)\n`);
      process.exit(2);
    }
  }
  return { json, filter };
}

function runSuite(filter: string, dir: string, quiet: boolean): Promise<number> {
  const log = fs.openSync(path.join(dir, 'suite.log'), 'w');
  const child = spawn(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      'process',
      filter,
      '--reporter=json',
      `--outputFile=${path.join(dir, 'suite.json')}`,
    ],
    {
      env: { ...process.env, HOSTILE_RESULTS: path.join(dir, 'attacks.jsonl') },
      stdio: ['ignore', quiet ? log : 'inherit', quiet ? log : 'inherit'],
    },
  );
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  fs.writeFileSync(path.join(dir, 'attacks.jsonl'), '');
  await runSuite(args.filter, dir, args.json);
  const suitePath = path.join(dir, 'suite.json');
  if (!fs.existsSync(suitePath)) {
    process.stderr.write(
      `hostile: the suite wrote no report; its output is in ${path.join(dir, 'suite.log')}\n`,
    );
    process.exit(1);
  }
  const suite = JSON.parse(fs.readFileSync(suitePath, 'utf8')) as SuiteCounts;
  const records = parseRecords(fs.readFileSync(path.join(dir, 'attacks.jsonl'), 'utf8'));
  const summary = summarize(suite, records);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (!args.json) for (const r of records) process.stderr.write(`${JSON.stringify(r)}\n`);
  const clean = summary.survived === summary.attacks && summary.forgedAccepted === 0 && summary.outages === 0;
  if (!clean) process.stderr.write(`hostile: suite output kept in ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });
  process.exit(clean ? 0 : 1);
}

void main();
