import { LocalProcess } from '@gridcloud/supervision';
import { PMU_SIM_ENTRY } from './app-entries';
import { casePath } from './data-files';

export interface PmuSimTcp {
  readonly sim: LocalProcess;
  readonly idcodes: number[];
  /** ingest's `--tcp IDCODE@HOST:PORT` flags, one pair per stream. */
  readonly targets: string[];
}

/** pmu-sim serving a case's PMUs over TCP on a free port, once it is ready. */
export async function startPmuSimTcp(caseName: string, fps: number): Promise<PmuSimTcp> {
  const sim = LocalProcess.tsx(PMU_SIM_ENTRY, [
    '--case',
    casePath(caseName),
    '--tcp',
    '127.0.0.1:0',
    '--fps',
    String(fps),
  ]);
  const ready = (await sim.waitFor((l) => l.event === 'ready', 'simulator ready')) as {
    tcpPort: number;
    streams: { idcode: number }[];
  };
  return {
    sim,
    idcodes: ready.streams.map((s) => s.idcode).sort((a, b) => a - b),
    targets: ready.streams.flatMap((s) => ['--tcp', `${s.idcode}@127.0.0.1:${ready.tcpPort}`]),
  };
}
