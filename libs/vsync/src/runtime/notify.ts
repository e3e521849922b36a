/**
 * Hands an error to the application's listeners. A listener that throws must not abort the runtime halfway
 * through carrying out the core's outputs, so its failure becomes a process warning; with no listener at all the
 * error itself becomes one, so it is never silently lost.
 */
export function notify(listeners: ReadonlyArray<(error: Error) => void>, error: Error): void {
  if (listeners.length === 0) return void process.emitWarning(error);
  for (const listener of listeners) {
    try {
      listener(error);
    } catch (failure) {
      process.emitWarning(`an onError listener threw while handling ${error.name}: ${String(failure)}`);
    }
  }
}
