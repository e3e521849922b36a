import { Inject } from '@nestjs/common';
import { groupToken } from './vsync.constants';

/** Injects the Group of that name on the app's shared VsyncProcess; the name must be in VsyncModule's `groups`. */
export function InjectGroup(name: string): PropertyDecorator & ParameterDecorator {
  return Inject(groupToken(name));
}
