import 'reflect-metadata';
import { bootService } from '@gridcloud/nest-vsync';
import type { SimSettings } from '../config/sim-options';
import { AppModule } from './app.module';
import { PmuSimRunner } from './pmu-sim-runner';

/** Boots the Nest app for settings already checked, then prints the `ready` line. */
export async function startPmuSim(settings: SimSettings): Promise<void> {
  const { vsyncHost, vsyncPort, httpPort, durationS } = settings.cluster;
  const module = AppModule.forRoot(settings);
  const booted = await bootService({ service: 'pmu-sim', module, vsyncHost, vsyncPort, httpPort, durationS });
  const { ready } = booted.app.get(PmuSimRunner);
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...ready, httpPort: booted.httpPort })}\n`);
}
