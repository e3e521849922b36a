import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  ExcludedError,
  formatProcess,
  Group,
  MinorityPartitionError,
  sameProcess,
  UnknownHandlerError,
  VsyncProcess,
  type View,
} from '@gridcloud/vsync';
import { VsyncModuleOptionsError } from './errors/vsync-module-options-error';
import type { ResolvedVsyncModuleOptions } from './vsync-module-options';
import { VSYNC_MODULE_OPTIONS } from './vsync.constants';

/** One group as the app's health sees it. */
export interface GroupMembership {
  readonly name: string;
  /** Whether this process (its current incarnation) is a member in the installed system view. */
  readonly joined: boolean;
  readonly viewId: number | undefined;
  readonly members: readonly string[];
}

/**
 * The app's groups on its one VsyncProcess: creates them, joins the bootstrap groups, remembers which groups the
 * app must belong to, and shuts the process down gracefully (a goodbye to every group) when the app stops.
 */
@Injectable()
export class VsyncGroups implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('VsyncModule');
  private readonly groups = new Map<string, Group>();
  /** Groups this app has asked to join: the health check expects membership in each. */
  private readonly required = new Set<string>();
  /** Groups with handlers on this process (VsyncServer's); the others only publish or announce liveness here. */
  private readonly served = new Set<string>();
  private closing = false;
  /** Errors the process listener already logged, so a group hearing of the same error stays quiet. */
  private readonly processErrors = new WeakSet<Error>();
  /** Deliveries to a group this process only publishes to, such as its own sends: expected, counted, not logged. */
  unservedDeliveries = 0;

  constructor(
    @Inject(VsyncProcess) readonly process: VsyncProcess,
    @Inject(VSYNC_MODULE_OPTIONS) private readonly options: ResolvedVsyncModuleOptions,
  ) {
    for (const name of options.groups) {
      const group = new Group(name, { process });
      group.onError((error) => this.onGroupError(name, error));
      this.groups.set(name, group);
    }
    process.onError((error) => this.onProcessError(error));
  }

  get names(): readonly string[] {
    return [...this.groups.keys()];
  }

  /** The Group of that name; the name must be one of the module's `groups`. */
  get(name: string): Group {
    const group = this.groups.get(name);
    if (group === undefined)
      throw new VsyncModuleOptionsError(
        'groups',
        `does not list '${name}' (it lists ${this.names.join(', ') || 'none'}); add it to VsyncModule's groups`,
      );
    return group;
  }

  /** Marks a group as having handlers here (VsyncServer does, before joining it). */
  markServed(name: string): void {
    this.get(name);
    this.served.add(name);
  }

  /** Whether the module itself joins this group at bootstrap. */
  joinsAtBootstrap(name: string): boolean {
    return this.options.join.includes(name);
  }

  /** Joins a group, failing with a clear error if no view including this process comes within joinTimeoutMs. */
  async join(name: string): Promise<void> {
    const group = this.get(name);
    this.required.add(name);
    const timeoutMs = this.options.joinTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `vsync group '${name}' was not joined within joinTimeoutMs ${timeoutMs}: are the seeds ${this.seedsText()} running?`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([group.join(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Each group the app must belong to, with its view and whether this process is in it right now. */
  memberships(): GroupMembership[] {
    return [...this.required].map((name) => this.membership(name));
  }

  /** Whether this incarnation is in the installed system view, i.e. in the primary partition, not excluded and not
   *  leaving. */
  inPrimaryPartition(): boolean {
    if (this.closing) return false;
    const view = this.process.systemView;
    if (view === undefined) return false;
    return view.members.some((m) => sameProcess(m, this.process.self));
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.options.join.map((name) => this.join(name)));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.process.shutdown();
  }

  private onGroupError(name: string, error: Error): void {
    if (error instanceof UnknownHandlerError && !this.served.has(name)) {
      this.unservedDeliveries += 1;
      return;
    }
    // A process-wide error (an exclusion, say) reaches the process listener and every group: log it once.
    if (
      this.processErrors.has(error) ||
      error instanceof ExcludedError ||
      error instanceof MinorityPartitionError
    )
      return;
    this.logger.error(error.message);
  }

  private onProcessError(error: Error): void {
    this.processErrors.add(error);
    // Leaving is the point of shutting down; the core's last words about it are not news.
    if (this.closing) return;
    this.logger.error(error.message);
  }

  private membership(name: string): GroupMembership {
    const view: View | undefined = this.groups.get(name)?.view;
    const entry = this.process.systemView?.groups.find((g) => g.name === name);
    const joined =
      this.inPrimaryPartition() && (entry?.members.some((m) => sameProcess(m, this.process.self)) ?? false);
    return {
      name,
      joined,
      viewId: view?.id,
      members: (view?.members ?? []).map(formatProcess),
    };
  }

  private seedsText(): string {
    return (this.options.process.seeds ?? ['(this process alone)']).join(',');
  }
}
