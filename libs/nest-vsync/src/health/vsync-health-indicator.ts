import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { VsyncGroups } from '../vsync-groups';

/**
 * Up when this process is in the primary partition (its incarnation is in the installed system view) and a member
 * of every group it joined; down (so GET /health answers 503) before the joins complete, after an exclusion until
 * the rejoin, and on leaving. An app without VsyncModule is up with `configured: false`.
 */
@Injectable()
export class VsyncHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Optional() @Inject(VsyncGroups) private readonly groups: VsyncGroups | undefined,
  ) {}

  check(): HealthIndicatorResult<'vsync'> {
    const indicator = this.health.check('vsync');
    const groups = this.groups;
    if (groups === undefined) return indicator.up({ configured: false });
    const memberships = groups.memberships();
    const inPrimaryPartition = groups.inPrimaryPartition();
    const details = {
      configured: true,
      inPrimaryPartition,
      systemViewId: groups.process.systemView?.id ?? null,
      incarnation: groups.process.stats().incarnation,
      groups: Object.fromEntries(
        memberships.map((m) => [m.name, { joined: m.joined, viewId: m.viewId ?? null, members: m.members }]),
      ),
    };
    const healthy = inPrimaryPartition && memberships.every((m) => m.joined);
    return healthy ? indicator.up(details) : indicator.down(details);
  }
}
