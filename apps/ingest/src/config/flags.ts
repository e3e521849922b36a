import { flagParser } from '@gridcloud/command-line';
import { IngestConfigError } from '../errors/ingest-config-error';

/** The command-line readers of the ingest service; a bad flag is an IngestConfigError. */
export const { parseFlags, numberFlag, stringFlag, parseHostPort } = flagParser(
  (message) => new IngestConfigError(message),
);
