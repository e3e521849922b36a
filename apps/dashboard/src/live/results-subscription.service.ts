import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AREA_RESULT_MESSAGE, RESULTS_GROUP } from '@gridcloud/estimation';
import { GroupClients, messageHandlerId } from '@gridcloud/nest-vsync';
import type { SubscribedMessage, Subscription } from '@gridcloud/vsync';
import { DASHBOARD_OPTIONS } from '../config/dashboard-config.module';
import type { DashboardOptions } from '../config/dashboard-options';
import { DashboardLive } from './dashboard-live.service';

const AREA_RESULT = messageHandlerId(AREA_RESULT_MESSAGE);

/** What the dashboard's stats line says of where its results come from. */
export interface ResultsSourceStats {
  readonly mode: 'client' | 'member';
  readonly representative?: string | null;
  readonly received?: number;
  readonly missed?: number;
  readonly unknownGaps?: number;
  readonly failovers?: number;
  readonly dropped?: number;
  readonly errors?: number;
}

/**
 * With --vsync-results client, the `results` group's area results reach the dashboard through a GroupClient
 * subscription: one member relays what it delivers, another resumes on its failure (gaps counted, never hidden), and
 * the estimators never wait for the dashboard. A representative that drops the subscription (the dashboard fell
 * behind) is answered with a new one, live from then on. With --vsync-results member it does nothing (ResultsHandlers).
 */
@Injectable()
export class ResultsSubscription implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | undefined;
  private readonly totals = { received: 0, missed: 0, unknownGaps: 0, failovers: 0, dropped: 0, errors: 0 };
  private stopped = false;
  private readonly log = new Logger('dashboard');

  constructor(
    @Inject(DASHBOARD_OPTIONS) private readonly options: DashboardOptions,
    @Inject(GroupClients) private readonly clients: GroupClients,
    @Inject(DashboardLive) private readonly live: DashboardLive,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.settings.vsyncResults === 'client') this.subscribe();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    // The poll in flight ends with the process's shutdown; nothing waits for it.
    void this.subscription?.close();
  }

  stats(): ResultsSourceStats {
    if (this.options.settings.vsyncResults === 'member') return { mode: 'member' };
    const now = this.subscription?.stats;
    const sum = (key: keyof typeof this.totals, current = 0): number => this.totals[key] + current;
    return {
      mode: 'client',
      representative: this.client().representative?.address ?? null,
      received: sum('received', now?.delivered),
      missed: sum('missed', now?.missed),
      unknownGaps: sum('unknownGaps', now?.unknownGaps),
      failovers: sum('failovers', now?.failovers),
      dropped: this.totals.dropped,
      errors: sum('errors', now?.errors),
    };
  }

  private client() {
    return this.clients.get(RESULTS_GROUP).client;
  }

  private subscribe(): void {
    this.subscription = this.client().subscribe((m) => this.onMessage(m), {
      onDropped: (reason) => this.onDropped(reason),
      onGap: (gap) =>
        this.log.warn(
          `results: ${gap.count ?? 'an unknown number of'} area results not relayed (${gap.reason})`,
        ),
    });
  }

  private onMessage(m: SubscribedMessage): void {
    if (m.handlerId === AREA_RESULT && m.args[0] instanceof Uint8Array) this.live.onAreaResult(m.args[0]);
  }

  private onDropped(reason: string): void {
    const ended = this.subscription!.stats;
    this.totals.received += ended.delivered;
    this.totals.missed += ended.missed;
    this.totals.unknownGaps += ended.unknownGaps;
    this.totals.failovers += ended.failovers;
    this.totals.errors += ended.errors;
    this.totals.dropped += 1;
    this.log.warn(`results: ${reason}; subscribing again from now`);
    if (!this.stopped) this.subscribe();
  }
}
