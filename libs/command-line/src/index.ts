export { flagParser, type FlagErrorFactory, type FlagParser, type Flags } from './flag-parser';
export { freePort } from './free-port';
