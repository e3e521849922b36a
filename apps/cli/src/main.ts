/**
 * The `gridcloud` command line: one entry point that dispatches to a command
 * module under ./commands. Each command module exports
 * `run(argv: string[]): Promise<number>` and returns the process exit code.
 */
const commands: Record<string, { module: string; summary: string }> = {
  powerflow: { module: './commands/powerflow', summary: 'solve an AC power flow for a MATPOWER case' },
  measurements: {
    module: './commands/measurements',
    summary: 'place PMUs and write synthetic phasor measurements',
  },
  estimate: { module: './commands/estimate', summary: 'run the linear state estimator on a measurement CSV' },
  c37: { module: './commands/c37', summary: 'IEEE C37.118 tools (c37 inspect FILE.pcap)' },
};

interface CommandModule {
  run(argv: string[]): Promise<number>;
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`);
  return ['usage: gridcloud <command> [options]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`gridcloud: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  const loaded = (await import(command.module)) as CommandModule;
  return loaded.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gridcloud: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
