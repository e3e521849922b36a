import 'reflect-metadata';
import { bootService } from '@gridcloud/nest-vsync';
import type { IngestSettings } from '../config/ingest-options';
import { AppModule } from './app.module';
import { IngestRunner } from './ingest-runner';

/** Boots the Nest app for settings already checked, then prints the `ready` line. */
export async function startIngest(settings: IngestSettings): Promise<void> {
  const { vsyncHost, vsyncPort, httpPort, durationS } = settings.cluster;
  const module = AppModule.forRoot(settings);
  const booted = await bootService({ service: 'ingest', module, vsyncHost, vsyncPort, httpPort, durationS });
  const { ready } = booted.app.get(IngestRunner);
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...ready, httpPort: booted.httpPort })}\n`);
}
