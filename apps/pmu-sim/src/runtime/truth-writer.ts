import fs from 'node:fs';
import type { PmuSimulator, TruthRecord } from '../model/pmu-simulator';
import { formatName } from '../model/stream-format';

/**
 * Writes the simulation truth as JSON lines: first the PMUs and their
 * channels, then every operating point (bus voltages, per unit and radians)
 * with the instant it takes effect, and the scheduled events.
 */
export class TruthWriter {
  private readonly out: fs.WriteStream;

  constructor(path: string) {
    this.out = fs.createWriteStream(path, { flags: 'w' });
  }

  writeMeta(sim: PmuSimulator, caseName: string): void {
    const pmus = sim.pmus.map((p) => ({
      idcode: p.idcode,
      busId: p.busId,
      channels: p.channels.map((c) => ({ name: c.name, kind: c.kind, branch: c.branch, end: c.end })),
    }));
    const streams = sim.streams.map((s) => ({
      idcode: s.idcode,
      pmus: s.pmus.map((p) => p.idcode),
      format: formatName(s.format),
    }));
    this.line({
      type: 'meta',
      case: caseName,
      framesPerSecond: sim.options.framesPerSecond,
      pmus,
      streams,
      events: sim.options.events,
    });
  }

  writeTruth(r: TruthRecord): void {
    const p = r.point;
    this.line({
      type: 'truth',
      timeSec: r.timeSec,
      cause: r.cause,
      loadScale: p.loadScale,
      tripped: p.tripped,
      busIds: [...p.net.busIds],
      vm: [...p.vm],
      va: [...p.va],
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }

  private line(o: unknown): void {
    this.out.write(`${JSON.stringify(o)}\n`);
  }
}
