/**
 * Stops the app cleanly on SIGTERM or SIGINT, or after `durationS` (0: never), and exits 0; a failing close exits 1.
 * Nest's enableShutdownHooks() listens too, and both end in the same single shutdown. This listener is needed as
 * well: under tsx's loader a process whose only signal listener is Nest's dies by the signal (exit 143) before its
 * hooks run.
 */
export function stopOnSignalOrAfter(durationS: number, close: () => Promise<void>): void {
  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    stopping ??= close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (durationS > 0) setTimeout(stop, durationS * 1000).unref();
}
