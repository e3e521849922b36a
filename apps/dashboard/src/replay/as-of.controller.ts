import { timingSafeEqual } from 'node:crypto';
import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Query,
  UnauthorizedException,
} from '@nestjs/common';
import { FileStoreClient, FileStoreRequestError, parseClock, parseTimeNs } from '@gridcloud/filestore';
import { DASHBOARD_OPTIONS } from '../config/dashboard-config.module';
import type { DashboardOptions } from '../config/dashboard-options';
import { estimatesAsOf, type AreaAsOf } from './estimates-as-of';

/**
 * GET /api/estimates/as-of?at=T[&clock=user|server][&token=...]: the grid's estimates as they stood at a past instant,
 * read from the file store the recorder archives results in (--filestore-url).
 */
@Controller('api/estimates')
export class AsOfController {
  private readonly client: FileStoreClient | undefined;

  constructor(@Inject(DASHBOARD_OPTIONS) private readonly options: DashboardOptions) {
    const urls = options.settings.filestoreUrls;
    this.client = urls.length === 0 ? undefined : new FileStoreClient({ urls });
  }

  @Get('as-of')
  async asOf(
    @Query('at') at: unknown,
    @Query('clock') clock: unknown,
    @Query('token') token: unknown,
  ): Promise<{ at: string; clock: string; areas: AreaAsOf[] }> {
    this.checkToken(token);
    if (this.client === undefined)
      throw new NotFoundException(
        'as-of reads need the file store: start the dashboard with --filestore-url',
      );
    if (typeof at !== 'string')
      throw new BadRequestException('at is required, once: ISO-8601 or an integer with its unit');
    if (clock !== undefined && typeof clock !== 'string')
      throw new BadRequestException('clock is given more than once');
    try {
      const point = { timeNs: parseTimeNs('at', at), clock: parseClock(clock) };
      return { at, clock: point.clock, areas: await estimatesAsOf(this.client, point) };
    } catch (error) {
      if (error instanceof FileStoreRequestError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private checkToken(token: unknown): void {
    const expected = this.options.settings.dashboardToken;
    if (expected === undefined) return;
    const given = Buffer.from(typeof token === 'string' ? token : '');
    const wanted = Buffer.from(expected);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      throw new UnauthorizedException('a valid dashboard token is required (?token=...)');
  }
}
