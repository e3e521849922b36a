import { Module } from '@nestjs/common';
import { EstimationService } from './estimation.service';
import { EstimatorHandlers } from './estimator-handlers.controller';

@Module({ controllers: [EstimatorHandlers], providers: [EstimationService], exports: [EstimationService] })
export class EstimationModule {}
