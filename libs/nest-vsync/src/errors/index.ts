export { VsyncModuleOptionsError } from './vsync-module-options-error';
export { VsyncPatternError } from './vsync-pattern-error';
export { ServiceBindError } from './service-bind-error';
