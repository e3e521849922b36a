/** A request the file store refused as wrong (HTTP 4xx): the message names what was wrong; retrying will not help. */
export class FileStoreRequestError extends Error {
  override readonly name = 'FileStoreRequestError';
  constructor(
    message: string,
    /** The HTTP status it maps to (400 malformed, 404 unknown route, 413 too large, 415 unknown body type). */
    readonly status = 400,
  ) {
    super(message);
  }
}

/** No replica could serve the call: every URL refused the connection, timed out or answered 5xx. */
export class FileStoreUnavailableError extends Error {
  override readonly name = 'FileStoreUnavailableError';
}

/**
 * An append whose request reached a replica but whose answer was lost (the connection broke or timed out): it may
 * or may not have been applied. It is not retried elsewhere, which could store it twice; read the file to know.
 */
export class AppendOutcomeUnknownError extends Error {
  override readonly name = 'AppendOutcomeUnknownError';
}
