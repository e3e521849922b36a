import { SetMetadata } from '@nestjs/common';
import { ON_VIEW_METADATA } from './vsync.constants';

/**
 * Marks a provider method to be called with each view the named group installs (`(view: View) => unknown`). The
 * group must be in VsyncModule's `groups`; a rejected promise is reported like a throwing view handler.
 */
export function OnView(group: string): MethodDecorator {
  return SetMetadata(ON_VIEW_METADATA, group);
}
