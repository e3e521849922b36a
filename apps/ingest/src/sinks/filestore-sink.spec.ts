import { encodeFrame, StreamDecoder } from '@gridcloud/c37118';
import { describe, expect, it } from 'vitest';
import { IngestPipeline } from '../pipeline/ingest-pipeline';
import { testConfig, testDataFrame } from '../testing/frames';
import { archivePathOf } from './filestore-sink';
import { SnapshotHub } from './snapshot-hub';
import type { RawDataFrame, SnapshotSink } from './snapshot-sink';

const SOC0 = 1_700_000_000;

class FrameArchive implements SnapshotSink {
  readonly frames: RawDataFrame[] = [];
  publish(): void {}
  publishFrame(frame: RawDataFrame): void {
    this.frames.push(frame);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function pipelineInto(hub: SnapshotHub): (bytes: Uint8Array) => void {
  const pipeline = new IngestPipeline(
    { framesPerSecond: 30, alignWindowMs: 50, maxPendingSnapshots: 16, maxFutureMs: 1000, maxPmus: 10 },
    hub,
  );
  const decoder = new StreamDecoder(
    { maxFrameBytes: 4096 },
    {
      onData: (v) => pipeline.onData(v, 'a', SOC0 * 1000),
      onFrame: (f) => (f.kind === 'cfg2' ? pipeline.onConfig(f, 'a', SOC0 * 1000) : undefined),
      onReject: () => undefined,
    },
  );
  return (bytes) => decoder.push(bytes);
}

describe('raw frames into the file store archive', () => {
  it('hands every data frame, byte for byte, at its SOC+FRACSEC, to a sink that archives frames', () => {
    const archive = new FrameArchive();
    const feed = pipelineInto(new SnapshotHub([archive]));
    const config = testConfig(500, [1, 2]);
    feed(encodeFrame(config));
    const frames = [0, 1, 31].map((k) => testDataFrame(config, SOC0, k));
    frames.forEach(feed);
    expect(archive.frames.map((f) => Buffer.from(f.bytes))).toEqual(frames.map((f) => Buffer.from(f)));
    expect(archive.frames.map((f) => f.streamIdcode)).toEqual([500, 500, 500]);
    // Frame 31 at 30 frames/s is 1 s and 1/30 s after SOC0 (FRACSEC 33,333 of a 1,000,000 time base).
    expect(archive.frames[2].timeNs).toBe(BigInt(SOC0 + 1) * 1_000_000_000n + 33_333_000n);
  });

  it('copies no frame when no sink archives them', () => {
    expect(new SnapshotHub([]).publishFrame).toBeUndefined();
  });

  it('files a frame by stream and UTC hour', () => {
    const frame = {
      streamIdcode: 7,
      timeNs: 1_733_137_199_999_000_000n,
      bytes: new Uint8Array(0),
      arrivalMs: 0,
    };
    expect(archivePathOf(frame)).toBe('c37118/7/2024-12-02T10');
  });
});
