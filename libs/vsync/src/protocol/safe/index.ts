export { SafeSends, type SafeSendsConfig, type SafeSendsEffects, MAX_PERSISTS_IN_FLIGHT } from './safe-sends';
export { SafeGroup, safeQuorum, type SafeEffects } from './safe-group';
export { mergeSafeLogs, safeEntryKey, toLogEntry, type SafeLogEntry } from './safe-log-merge';
export { SafeLogConflictError } from './errors/safe-log-conflict-error';
