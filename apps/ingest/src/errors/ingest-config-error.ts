/** A command-line flag or option of the ingest service is missing or out of range; the message names the flag. */
export class IngestConfigError extends Error {
  override readonly name = 'IngestConfigError';
}
