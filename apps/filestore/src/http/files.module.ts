import { Module } from '@nestjs/common';
import { ReplicaService } from '../store/replica.service';
import { FilesController } from './files.controller';
import { FileStoreHttpErrorFilter } from './http-error.filter';

/** The replica and the HTTP API over it. */
@Module({
  controllers: [FilesController],
  providers: [ReplicaService, FileStoreHttpErrorFilter],
  exports: [ReplicaService],
})
export class FilesModule {}
