import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type { RuntimeStats } from '@gridcloud/vsync';
import { VsyncGroups } from '../vsync-groups';
import { AppMetrics } from './app-metrics';

type Read = (stats: RuntimeStats) => number;

/** Cumulative vsync figures, exported as Prometheus counters named gridcloud_vsync_<name>_total. */
const COUNTERS: ReadonlyArray<readonly [string, string, Read]> = [
  ['deliveries', 'messages delivered to this process, all groups', (s) => s.deliveries],
  ['views_installed', 'group views installed', (s) => s.views],
  ['exclusions', 'times this process was excluded from the system and rejoined', (s) => s.exclusions],
  ['decode_failures', 'received messages that did not decode (dropped)', (s) => s.decodeFailures],
  ['send_failures', 'outgoing messages the transport refused', (s) => s.sendFailures],
  ['suspicions', 'members this process suspected, once per member per view', (s) => s.core.suspicions],
  [
    'retransmitted_messages',
    'link messages sent again after a missed acknowledgement',
    (s) => s.core.retransmittedMessages,
  ],
  ['view_changes', 'system views installed after a flush', (s) => s.core.viewChanges],
  [
    'flush_duration_ms',
    'milliseconds spent flushing, from the first flush promise to the next view',
    (s) => s.core.flushMsTotal,
  ],
  ['transport_frames_sent', 'frames written', (s) => s.transport.framesSent],
  ['transport_frames_received', 'frames read', (s) => s.transport.framesReceived],
  ['transport_bytes_sent', 'bytes written', (s) => s.transport.bytesSent],
  ['transport_bytes_received', 'bytes read', (s) => s.transport.bytesReceived],
  ['transport_connections_opened', 'connections opened', (s) => s.transport.connectionsOpened],
  ['transport_connections_closed', 'connections closed', (s) => s.transport.connectionsClosed],
  ['transport_dial_failures', 'failed dials', (s) => s.transport.dialFailures],
  [
    'transport_dropped_queue_full',
    'messages dropped on a full peer queue',
    (s) => s.transport.droppedQueueFull,
  ],
  ['transport_rejected_frames', 'connections closed for bad frames', (s) => sum(s.transport.rejectedFrames)],
];

/** Figures of this instant, exported as gauges named gridcloud_vsync_<name>. */
const GAUGES: ReadonlyArray<readonly [string, string, Read]> = [
  ['incarnation', 'incarnation number of this process', (s) => s.incarnation],
  ['send_queue_messages', 'multicasts waiting for room in a send window', (s) => s.core.sendQueueMessages],
  ['last_flush_duration_ms', 'duration of the latest flush in milliseconds', (s) => s.core.lastFlushMs],
];

/** Registers the process's vsync figures with the app's metrics; nothing when the app has no VsyncModule. */
@Injectable()
export class VsyncMetrics implements OnModuleInit {
  constructor(
    @Inject(AppMetrics) private readonly metrics: AppMetrics,
    @Optional() @Inject(VsyncGroups) private readonly groups: VsyncGroups | undefined,
  ) {}

  onModuleInit(): void {
    const groups = this.groups;
    if (groups === undefined) return;
    const stats = (): RuntimeStats => groups.process.stats();
    for (const [name, help, read] of COUNTERS)
      this.metrics.counter(`gridcloud_vsync_${name}_total`, help, () => read(stats()));
    for (const [name, help, read] of GAUGES)
      this.metrics.gauge(`gridcloud_vsync_${name}`, help, () => read(stats()));
    this.metrics.counter(
      'gridcloud_vsync_unserved_deliveries_total',
      'deliveries to groups this process only publishes to (its own sends included)',
      () => groups.unservedDeliveries,
    );
    this.metrics.gauge(
      'gridcloud_vsync_system_view_id',
      'id of the installed system view',
      () => groups.process.systemView?.id ?? 0,
    );
    this.metrics.gauge(
      'gridcloud_vsync_in_primary_partition',
      '1 when this incarnation is in the installed system view',
      () => (groups.inPrimaryPartition() ? 1 : 0),
    );
    this.metrics.labelledGauge(
      'gridcloud_vsync_group_members',
      'members of each group this process belongs to',
      'group',
      () => new Map(groups.memberships().map((m) => [m.name, m.members.length])),
    );
  }
}

function sum(byKind: Record<string, number>): number {
  return Object.values(byKind).reduce((a, b) => a + b, 0);
}
