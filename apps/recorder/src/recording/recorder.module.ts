import { Module } from '@nestjs/common';
import { ReplayJobsService } from '../jobs/replay-jobs.service';
import { RecorderHandlers } from './recorder-handlers.controller';
import { RecorderService } from './recorder.service';

@Module({
  controllers: [RecorderHandlers],
  providers: [RecorderService, ReplayJobsService],
  exports: [RecorderService],
})
export class RecorderModule {}
