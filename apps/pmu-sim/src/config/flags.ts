import { flagParser } from '@gridcloud/command-line';
import { SimConfigError } from '../errors/sim-config-error';

/** The command-line readers of the PMU simulator; a bad flag is a SimConfigError. */
export const { parseFlags, numberFlag, stringFlag, parseHostPort } = flagParser(
  (message) => new SimConfigError(message),
);
