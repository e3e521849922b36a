/** Prints one JSON line on stdout (bigints as decimal strings): the app's ready, stats and stopped events. */
export function printLine(line: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify(line, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
  );
}
