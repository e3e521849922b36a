import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { View } from '@gridcloud/vsync';
import { VsyncModuleOptionsError } from './errors/vsync-module-options-error';
import { VsyncGroups } from './vsync-groups';
import { ON_VIEW_METADATA } from './vsync.constants';

/**
 * Finds every provider method marked `@OnView(group)` and attaches it to that group's view callbacks. It runs at
 * module init, and VsyncServer runs it again before joining (once is enough), so no installed view is missed even
 * when the microservice starts before the application's init.
 */
@Injectable()
export class ViewListeners implements OnModuleInit {
  private attached = false;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(VsyncGroups) private readonly groups: VsyncGroups,
  ) {}

  onModuleInit(): void {
    this.attach();
  }

  attach(): void {
    if (this.attached) return;
    this.attached = true;
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance === null || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) this.attachMethod(instance, method);
    }
  }

  private attachMethod(instance: object, method: string): void {
    const target = (instance as Record<string, unknown>)[method];
    if (typeof target !== 'function') return;
    const group = this.reflector.get<string | undefined>(ON_VIEW_METADATA, target);
    if (group === undefined) return;
    const where = `@OnView('${group}') on ${instance.constructor.name}.${method}`;
    if (!this.groups.names.includes(group))
      throw new VsyncModuleOptionsError('groups', `does not list '${group}', needed by ${where}`);
    this.groups.get(group).onView((view: View) => (target as (view: View) => unknown).call(instance, view));
  }
}
