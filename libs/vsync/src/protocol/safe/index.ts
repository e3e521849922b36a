export { SafeSends, type SafeSendsConfig, type SafeSendsEffects, MAX_PERSISTS_IN_FLIGHT } from './safe-sends';
export { SafeGroup, safeQuorum, type SafeEffects } from './safe-group';
