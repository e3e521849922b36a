import net from 'node:net';
import {
  COMMAND,
  decodeFrameOrThrow,
  encodeConfig3Series,
  encodeFrame,
  LOCKED_TIME,
  StreamDecoder,
  type Config3Frame,
  type DataFrame,
} from '@gridcloud/c37118';
import { DEFAULT_SESSION_OPTIONS } from '@gridcloud/pdc';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestPipeline } from '../pipeline/ingest-pipeline';
import type { Snapshot, SnapshotSink } from '../sinks/snapshot-sink';
import { TcpPmuConnection } from './tcp-pmu-connection';

const STREAM = 7;
const FRAME_BYTES = 300;

/**
 * A PMU on a real loopback socket that serves its configuration only as
 * CFG-3, split over several frames, and sends `frames` data frames when
 * turned on. It records the commands it was sent.
 */
class Config3Pmu {
  readonly commands: number[] = [];
  private readonly server = net.createServer((socket) => this.serve(socket));

  constructor(
    readonly config: Config3Frame,
    private readonly frames: number,
  ) {}

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    const decoder = new StreamDecoder(
      { maxFrameBytes: 1024 },
      {
        onFrame: (f) => {
          if (f.kind !== 'cmd') return;
          this.commands.push(f.command);
          if (f.command === COMMAND.cfg3)
            for (const part of encodeConfig3Series(this.config, FRAME_BYTES)) socket.write(part);
          if (f.command === COMMAND.start) this.sendData(socket);
        },
      },
    );
    socket.on('data', (b) => decoder.push(b));
    socket.on('error', () => undefined);
  }

  private sendData(socket: net.Socket): void {
    const soc = Math.floor(Date.now() / 1000);
    for (let i = 0; i < this.frames; i += 1)
      socket.write(encodeFrame(dataFrame(this.config, soc, i), this.config));
  }
}

/** A CFG-3 of `pmuCount` PMUs with long names (so it needs several frames), int16 rectangular phasors, each its own PHSCALE. */
function config3(pmuCount: number, angleStepRad: number): Config3Frame {
  return {
    kind: 'cfg3',
    version: 2,
    idcode: STREAM,
    soc: 0,
    fracsec: 0,
    timeQuality: LOCKED_TIME,
    contIdx: 0,
    timeBase: 1_000_000,
    dataRate: 30,
    pmus: Array.from({ length: pmuCount }, (_, i) => ({
      stationName: `SUBSTATION ${i} WITH A LONG CFG-3 NAME`,
      idcode: 700 + i,
      globalPmuId: (700 + i).toString(16).padStart(32, '0'),
      format: { polar: false, phasorFloat: false, analogFloat: false, freqFloat: false },
      phasors: [
        {
          name: `BUS ${i} V1`,
          modificationFlags: 0x0100,
          typeIndication: 1,
          userDesignation: 0,
          scale: 0.01 * (i + 1),
          angleOffsetRad: (i + 1) * angleStepRad,
        },
        {
          name: `LINE ${i} I1`,
          modificationFlags: 0,
          typeIndication: 9,
          userDesignation: 0,
          scale: 0.001,
          angleOffsetRad: -(i + 1) * angleStepRad,
        },
      ],
      analogs: [{ name: `LINE ${i} MW`, scale: 0.5, offset: 0 }],
      digitals: [],
      latitude: 0,
      longitude: 0,
      elevation: 0,
      serviceClass: 'P',
      windowUs: 33_333,
      groupDelayUs: 0,
      nominalFrequencyHz: 60,
      cfgcnt: 1,
    })),
  };
}

/** Int16 wire values: rectangular (300 + i, 40) for every voltage, (-20, 10) for every current. */
function dataFrame(config: Config3Frame, soc: number, i: number): DataFrame {
  return {
    kind: 'data',
    version: 2,
    idcode: config.idcode,
    soc,
    fracsec: i * 33_333,
    timeQuality: LOCKED_TIME,
    pmus: config.pmus.map(() => ({
      stat: 0,
      phasors: [300 + i, 40, -20, 10],
      freq: 0,
      dfreq: 0,
      analogs: [0],
      digitals: [],
    })),
  };
}

class CollectingSink implements SnapshotSink {
  readonly got: Snapshot[] = [];
  publish(s: Snapshot): void {
    this.got.push(s);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('TcpPmuConnection with a CFG-3 PMU', () => {
  it('asks for CFG-3, reassembles the series, and hands on phasors with its PHSCALE scale and angle adjustment applied', async () => {
    const config = config3(4, 0.25);
    expect(encodeConfig3Series(config, FRAME_BYTES).length).toBeGreaterThan(2);
    const pmu = new Config3Pmu(config, 3);
    const port = await pmu.listen();
    cleanup.push(() => pmu.close());
    const sink = new CollectingSink();
    const pipeline = new IngestPipeline(
      { alignWindowMs: 200, maxPendingSnapshots: 16, maxFutureMs: 5000, maxPmus: 100 },
      sink,
    );
    const connection = new TcpPmuConnection(
      { idcode: STREAM, host: '127.0.0.1', port },
      { ...DEFAULT_SESSION_OPTIONS, configFrame: 'cfg3' },
      { maxFrameBytes: 65535, maxConfigsPerSource: 4, maxConfigBytesPerSource: 1 << 20 },
      pipeline,
      { next: () => 0.5 },
      () => undefined,
    );
    connection.start();
    cleanup.push(async () => connection.stop());
    await until('three snapshots', () => {
      pipeline.tick(Date.now());
      return sink.got.length >= 3;
    });

    expect(pmu.commands.slice(0, 2)).toEqual([COMMAND.cfg3, COMMAND.start]);
    // The phasors ingest hands on: int16 times the PHSCALE factor, turned by the PHSCALE angle.
    const wire = decodeFrameOrThrow(encodeFrame(config)) as Config3Frame;
    for (const [n, snapshot] of sink.got.slice(0, 3).entries()) {
      expect(snapshot.complete).toBe(true);
      expect(snapshot.pmuIds).toEqual(wire.pmus.map((p) => p.idcode));
      snapshot.values.forEach((sample, k) => {
        const raw = [
          [300 + n, 40],
          [-20, 10],
        ];
        wire.pmus[k].phasors.forEach((ph, j) => {
          const [re, im] = [raw[j][0] * ph.scale, raw[j][1] * ph.scale];
          const [c, s] = [Math.cos(ph.angleOffsetRad), Math.sin(ph.angleOffsetRad)];
          expect(sample.phasors[2 * j]).toBeCloseTo(re * c - im * s, 9);
          expect(sample.phasors[2 * j + 1]).toBeCloseTo(re * s + im * c, 9);
        });
      });
    }
    expect(pipeline.totals().rejects).toEqual({});
  });
});
