import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigError, TransportConfigError, VsyncOptionsError, VsyncProcess } from '@gridcloud/vsync';
import { VsyncModuleOptionsError } from './errors/vsync-module-options-error';
import { GroupPublisher } from './group-publisher';
import { GroupClients } from './group-clients';
import { SystemViews } from './system-views';
import { ViewListeners } from './view-listeners';
import { VsyncGroups } from './vsync-groups';
import {
  resolveVsyncModuleOptions,
  type ResolvedVsyncModuleOptions,
  type VsyncModuleOptions,
} from './vsync-module-options';
import { VsyncServer } from './vsync-server';
import { groupToken, VSYNC_MODULE_OPTIONS } from './vsync.constants';

/** forRootAsync: options from a factory. `groups` listed here are injectable with `@InjectGroup`; the factory's own
 *  `groups` may add more, reachable through `VsyncGroups.get(name)`. */
export interface VsyncModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  // Nest's injection tokens are classes, strings or symbols; the factory receives them in this order.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly useFactory: (...args: any[]) => VsyncModuleOptions | Promise<VsyncModuleOptions>;
  readonly inject?: NonNullable<Extract<Provider, { inject?: unknown }>['inject']>;
  readonly groups?: readonly string[];
}

const SHARED_PROVIDERS = [VsyncGroups, GroupPublisher, GroupClients, SystemViews, ViewListeners, VsyncServer];

/**
 * The app's one VsyncProcess and its named Groups as Nest providers (global, so feature modules inject them), the
 * VsyncServer transport strategy, a GroupPublisher, `@OnView` callbacks and the system views. The process leaves
 * every group gracefully when the application shuts down.
 */
@Module({})
export class VsyncModule {
  static forRoot(options: VsyncModuleOptions): DynamicModule {
    const resolved = resolveVsyncModuleOptions(options);
    return VsyncModule.build({ provide: VSYNC_MODULE_OPTIONS, useValue: resolved }, resolved.groups, []);
  }

  static forRootAsync(options: VsyncModuleAsyncOptions): DynamicModule {
    const staticGroups = resolveVsyncModuleOptions({ groups: options.groups ?? [] }).groups;
    const optionsProvider: Provider = {
      provide: VSYNC_MODULE_OPTIONS,
      inject: options.inject ?? [],
      useFactory: async (...args: unknown[]) => {
        const made = await options.useFactory(...args);
        const groups = [...staticGroups, ...(made?.groups ?? []).filter((g) => !staticGroups.includes(g))];
        return resolveVsyncModuleOptions({ ...made, groups });
      },
    };
    return VsyncModule.build(optionsProvider, staticGroups, options.imports ?? []);
  }

  private static build(
    optionsProvider: Provider,
    groups: readonly string[],
    imports: NonNullable<ModuleMetadata['imports']>,
  ): DynamicModule {
    const groupProviders: Provider[] = groups.map((name) => ({
      provide: groupToken(name),
      inject: [VsyncGroups],
      useFactory: (all: VsyncGroups) => all.get(name),
    }));
    const processProvider: Provider = {
      provide: VsyncProcess,
      inject: [VSYNC_MODULE_OPTIONS],
      useFactory: (resolved: ResolvedVsyncModuleOptions) => createProcess(resolved),
    };
    return {
      module: VsyncModule,
      global: true,
      imports: [DiscoveryModule, ...imports],
      providers: [optionsProvider, processProvider, ...SHARED_PROVIDERS, ...groupProviders],
      exports: [
        VsyncProcess,
        ...SHARED_PROVIDERS,
        ...groupProviders.map((p) => (p as { provide: string }).provide),
      ],
    };
  }
}

/** The process checks its own options (the runtime's, the transport's and the core's); each error is re-labelled so
 *  every module option error reads alike: `VsyncModuleOptionsError: bindPort 70000 is not an integer in 0..65535`. */
function createProcess(resolved: ResolvedVsyncModuleOptions): VsyncProcess {
  try {
    return new VsyncProcess(resolved.process);
  } catch (error) {
    if (error instanceof VsyncOptionsError || error instanceof TransportConfigError)
      throw new VsyncModuleOptionsError(
        error.option,
        error.message.replace(/^invalid \w+ option '[^']*': /, ''),
      );
    if (error instanceof ConfigError) {
      const parts = /^ConfigError: (\S+) (.*)$/.exec(error.message);
      throw new VsyncModuleOptionsError(
        parts ? `core.${parts[1]}` : 'core',
        parts ? parts[2] : error.message,
      );
    }
    throw error;
  }
}
