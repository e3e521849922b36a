/**
 * C37.118 decode benchmark: our stream decoder (SYNC scan, CRC, decode into
 * the reusable typed-array view) on one core, against pypmu decoding the same
 * frames in the same run. `--json` makes the last line one JSON object:
 * {"decodeFramesPerSec":D,"pypmuFramesPerSec":P,"ratio":D/P,
 *  "ingest":{"pmus":N,"fps":F,"snapshotsPerSec":S,"p99AlignMs":L}}
 * where the ingest figures come from bench/ingest (simulated PMUs into the
 * ingest app over TCP; its peer is the offered frame rate).
 *
 * usage: npm run bench:c37 -- [--json] [--seconds S]
 */
import { execFileSync } from 'node:child_process';
import {
  buildConfig,
  dataFrameFromMeasurements,
  encodeFrame,
  StreamDecoder,
  type ConfigFrame,
} from '@gridcloud/c37118';
import { DEFAULT_INGEST_BENCH, runIngestBench } from '../ingest/ingest-bench';

interface Case {
  readonly name: string;
  readonly config: ConfigFrame;
  readonly frame: Uint8Array;
}

interface Rate {
  readonly framesPerSec: number;
  readonly mbPerSec: number;
}

const FRAMES_PER_CHUNK = 1000;

function tenPhasorFloat(): Case {
  const config = buildConfig({
    idcode: 101,
    dataRate: 60,
    // FREQ as int16: pypmu reads a float FREQ as a deviation limited to +-32.767 Hz and
    // refuses an absolute 60 Hz, so float FREQ would leave the peer nothing to decode.
    pmus: [
      {
        stationName: 'BENCH 10PH',
        idcode: 101,
        format: { polar: false, phasorFloat: true, analogFloat: true, freqFloat: false },
        phasors: ['VA', 'VB', 'VC', 'V1', 'V2', 'IA', 'IB', 'IC', 'I1', 'I2'],
        digitalWords: 1,
      },
    ],
  });
  const phasors = Array.from({ length: 20 }, (_, i) => (i % 2 ? -1 : 1) * (1000 + i * 37.5));
  const frame = dataFrameFromMeasurements(config, { soc: 1_800_000_000, fracsec: 16_666 }, [
    { phasors, freqHz: 59.98, rocofHzPerS: 0.01, digitals: [5] },
  ]);
  return { name: '10-phasor float', config, frame: encodeFrame(frame, config) };
}

function fourPmu(): Case {
  const pmu = (i: number) => ({
    stationName: `BENCH PMU ${i}`,
    idcode: 200 + i,
    format: { polar: i % 2 === 1, phasorFloat: false, analogFloat: false, freqFloat: false },
    phasors: ['VA', 'VB', 'VC', 'IA', 'IB', 'IC'],
    analogs: ['P', 'Q'],
    digitalWords: 1,
    phunit: 1000,
  });
  const config = buildConfig({ idcode: 200, dataRate: 60, pmus: [0, 1, 2, 3].map(pmu) });
  const m = {
    phasors: [120, -30, -60, 100, -60, -100, 10, 2, -5, 8, -5, -10],
    freqHz: 60.01,
    rocofHzPerS: -0.02,
    analogs: [100, -20],
    digitals: [1],
  };
  const frame = dataFrameFromMeasurements(config, { soc: 1_800_000_000, fracsec: 0 }, [m, m, m, m]);
  return { name: '4-PMU int16', config, frame: encodeFrame(frame, config) };
}

/** Decodes a chunk of back-to-back copies of the frame, as a TCP read delivers them, for about `seconds`. */
function ourRate(c: Case, seconds: number): Rate {
  const chunk = new Uint8Array(c.frame.length * FRAMES_PER_CHUNK);
  for (let i = 0; i < FRAMES_PER_CHUNK; i += 1) chunk.set(c.frame, i * c.frame.length);
  let decoded = 0;
  let checksum = 0;
  const decoder = new StreamDecoder(
    { maxFrameBytes: 65535 },
    {
      onData: (v) => {
        decoded += 1;
        checksum += v.phasors[0];
      },
    },
  );
  decoder.push(encodeFrame(c.config));
  const run = (until: number): number => {
    let chunks = 0;
    while (performance.now() < until) {
      decoder.push(chunk);
      chunks += 1;
    }
    return chunks;
  };
  run(performance.now() + 200); // warm-up: let the JIT optimise the hot path
  decoded = 0;
  const start = performance.now();
  const chunks = run(start + seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  if (decoded !== chunks * FRAMES_PER_CHUNK || !Number.isFinite(checksum))
    throw new Error(`decoded ${decoded} frames of ${chunks * FRAMES_PER_CHUNK}`);
  if (decoder.counters.bytesDiscarded !== 0) throw new Error('benchmark frames were rejected');
  return { framesPerSec: decoded / elapsed, mbPerSec: (decoded * c.frame.length) / elapsed / 1e6 };
}

function pypmuRate(c: Case, seconds: number): Rate {
  const python = execFileSync('bash', ['scripts/python-env'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop() as string;
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  let out: string;
  try {
    out = execFileSync(
      python,
      ['bench/c37/pypmu_decode.py', String(seconds), hex(encodeFrame(c.config)), hex(c.frame)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '')
      .trim()
      .split('\n')
      .pop();
    throw new Error(`pypmu could not decode the ${c.name} benchmark frame: ${stderr}`);
  }
  const { framesPerSec } = JSON.parse(out.trim().split('\n').pop() as string) as { framesPerSec: number };
  return { framesPerSec, mbPerSec: (framesPerSec * c.frame.length) / 1e6 };
}

function parseArgs(argv: string[]): { json: boolean; seconds: number } {
  const at = argv.indexOf('--seconds');
  const seconds = at >= 0 ? Number(argv[at + 1]) : 1.5;
  if (!(seconds > 0 && seconds <= 60)) throw new Error(`--seconds must be in (0, 60], got ${argv[at + 1]}`);
  return { json: argv.includes('--json'), seconds };
}

async function main(): Promise<void> {
  const { json, seconds } = parseArgs(process.argv.slice(2));
  const results = [tenPhasorFloat(), fourPmu()].map((c) => ({
    c,
    ours: ourRate(c, seconds),
    peer: pypmuRate(c, seconds),
  }));
  for (const { c, ours, peer } of results) {
    process.stdout.write(
      `${c.name.padEnd(16)} ${c.frame.length} B/frame  ours ${Math.round(ours.framesPerSec).toLocaleString('en')} frames/s (${ours.mbPerSec.toFixed(1)} MB/s)` +
        `  pypmu ${Math.round(peer.framesPerSec).toLocaleString('en')} frames/s (${peer.mbPerSec.toFixed(2)} MB/s)  ratio ${(ours.framesPerSec / peer.framesPerSec).toFixed(1)}x\n`,
    );
  }
  const headline = results[0];
  const summary: Record<string, unknown> = {
    decodeFramesPerSec: Math.round(headline.ours.framesPerSec),
    pypmuFramesPerSec: Math.round(headline.peer.framesPerSec),
    ratio: Number((headline.ours.framesPerSec / headline.peer.framesPerSec).toFixed(1)),
  };
  // Then the ingest app end to end: simulated PMUs into ingest; its peer is the offered frame rate.
  const ingest = await runIngestBench(DEFAULT_INGEST_BENCH);
  process.stdout.write(
    `ingest           ${ingest.pmus} PMUs at ${ingest.fps} fps: ${ingest.snapshotsPerSec} aligned snapshots/s vs ${ingest.fps} offered ` +
      `(ratio ${ingest.ratio}), p99 alignment ${ingest.p99AlignMs} ms, ${ingest.completePercent}% complete\n`,
  );
  summary.ingest = {
    pmus: ingest.pmus,
    fps: ingest.fps,
    snapshotsPerSec: ingest.snapshotsPerSec,
    p99AlignMs: ingest.p99AlignMs,
  };
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/c37: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
