/** Injection token of the checked module options (ResolvedVsyncModuleOptions). */
export const VSYNC_MODULE_OPTIONS = Symbol('VSYNC_MODULE_OPTIONS');

/** Metadata key under which `@OnView(group)` records the group a method watches. */
export const ON_VIEW_METADATA = 'gridcloud:vsync:on-view';

/** The injection token of one named Group. */
export function groupToken(name: string): string {
  return `gridcloud:vsync:group:${name}`;
}
