/** Where the supervisor's lines go: JSON event lines on stdout, human-readable lines on stderr. */
export class SupervisorOutput {
  json(line: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }

  log(text: string): void {
    process.stderr.write(`supervisor: ${text}\n`);
  }
}
