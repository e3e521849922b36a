import { C37ConfigError } from '../errors/config-error';
import { FrameFormatError } from '../errors/frame-format-error';
import { crcMatches, kindOfSyncByte, readHead } from '../codec/common';
import { decodeBody } from '../codec/decode';
import type { DataFrameView } from '../codec/data-frame-view';
import {
  CHK_BYTES,
  COMMON_HEADER_BYTES,
  MAX_FRAME_BYTES,
  MIN_FRAME_BYTES,
  SYNC_LEAD_BYTE,
  type Frame,
  type FrameKind,
} from '../codec/frame-types';
import type { FrameReject, RejectReason } from '../codec/reject';
import {
  Config3Assembler,
  DEFAULT_CONFIG3_ASSEMBLY,
  type AssemblyOutcome,
  type Config3AssemblyOptions,
} from './config3-assembler';
import { ConfigStore } from './config-store';
import { newCounters, type DecoderCounters } from './decoder-counters';

export interface StreamDecoderOptions {
  /** Largest FRAMESIZE accepted, in bytes (16..65535). It is also the most this decoder ever buffers. */
  readonly maxFrameBytes: number;
  /** Configurations per IDCODE; pass one store to several decoders to share CFG frames between connections. */
  readonly configs?: ConfigStore;
  /** Bounds of a CFG-3 reassembled from several frames (default `DEFAULT_CONFIG3_ASSEMBLY`). */
  readonly config3?: Config3AssemblyOptions;
}

/** One frame of a CFG-3 series, as it arrives (before the series is judged). */
export interface Config3FragmentInfo {
  readonly idcode: number;
  readonly contIdx: number;
  readonly soc: number;
  readonly fracsec: number;
  readonly frameBytes: number;
}

export interface StreamDecoderHandlers {
  /** A data frame decoded into the view for its IDCODE; the view is reused, copy what you keep. */
  onData?(view: DataFrameView): void;
  /** Header, configuration and command frames; a CFG-3 sent as a series comes once, reassembled. */
  onFrame?(frame: Frame): void;
  /** Each frame of a CFG-3 series as it arrives, for tools that count frames on the wire. */
  onConfig3Fragment?(fragment: Config3FragmentInfo): void;
  onReject?(reject: FrameReject): void;
}

const SYNC_BYTES = 2;

/**
 * Push-style decoder for a byte stream (a TCP connection) or a sequence of
 * datagrams. It finds frames by SYNC and FRAMESIZE, verifies CHK, and
 * resynchronises after garbage by scanning for the next 0xAA lead byte.
 * A candidate frame that fails (CRC, size) gives back all but its SYNC word
 * to the scanner, so a real frame hidden behind a false SYNC is still found.
 * Buffered bytes never exceed `maxFrameBytes`. A CFG-3 sent as a series of
 * frames (CONT_IDX) is reassembled, within `config3` bounds, before it is
 * delivered or stored; its frames count as accepted once it completes.
 */
export class StreamDecoder {
  readonly counters: DecoderCounters = newCounters();
  readonly configs: ConfigStore;
  private readonly maxFrameBytes: number;
  private readonly buf: Uint8Array;
  private readonly series: Config3Assembler;
  private len = 0;
  /** Length of the current run of skipped bytes not yet reported. */
  private garbage = 0;
  /**
   * A rejected candidate frame whose report waits until the skipped run after
   * it ends, so the report carries every byte discarded with it.
   */
  private pendingReject: Omit<FrameReject, 'bytes'> | undefined;

  constructor(
    options: StreamDecoderOptions,
    private readonly handlers: StreamDecoderHandlers = {},
  ) {
    const max = options.maxFrameBytes;
    if (!Number.isInteger(max) || max < MIN_FRAME_BYTES || max > MAX_FRAME_BYTES) {
      throw new C37ConfigError(
        `maxFrameBytes must be an integer in [${MIN_FRAME_BYTES}, ${MAX_FRAME_BYTES}], got ${String(max)}`,
      );
    }
    this.maxFrameBytes = max;
    this.buf = new Uint8Array(max);
    this.configs = options.configs ?? new ConfigStore();
    this.series = new Config3Assembler(options.config3 ?? DEFAULT_CONFIG3_ASSEMBLY);
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.len;
  }

  /** CFG-3 content held while waiting for the rest of a series (at most `config3.maxConfig3Bytes`). */
  get heldConfig3Bytes(): number {
    return this.series.heldBytes;
  }

  push(chunk: Uint8Array): void {
    this.counters.bytesIn += chunk.length;
    let pos = 0;
    while (this.len > 0 && pos < chunk.length) {
      const n = Math.min(this.buf.length - this.len, chunk.length - pos);
      this.buf.set(chunk.subarray(pos, pos + n), this.len);
      this.len += n;
      pos += n;
      const used = this.scan(this.buf, 0, this.len);
      // A full buffer always holds a complete candidate, so the scan must make progress.
      if (used === 0 && this.len === this.buf.length)
        throw new Error('invariant: full decoder buffer made no progress');
      this.buf.copyWithin(0, used, this.len);
      this.len -= used;
    }
    if (this.len === 0 && pos < chunk.length) {
      const used = this.scan(chunk, pos, chunk.length);
      this.buf.set(chunk.subarray(used), 0);
      this.len = chunk.length - used;
    }
  }

  /**
   * One datagram holds whole frames: a partial frame at its end is truncated,
   * not continued. A CFG-3 series goes on across datagrams (one frame each).
   */
  pushDatagram(datagram: Uint8Array): void {
    this.push(datagram);
    this.endOfMessage('the datagram ended');
  }

  /** The connection closed: whatever is buffered is a truncated frame, and a CFG-3 series in progress is cut short. */
  end(): void {
    this.endOfMessage('the stream ended');
    this.abandonSeries('the stream ended');
  }

  /** Bytes were lost (a TCP sequence gap): drop the partial frame and any CFG-3 series, and resynchronise. */
  discontinuity(): void {
    this.endOfMessage('bytes were lost before the rest of it');
    this.abandonSeries('bytes were lost in the stream');
  }

  private abandonSeries(why: string): void {
    const outcome = this.series.abandon(`it was cut short: ${why}`);
    this.configs.holdSeriesBytes(0);
    if (outcome !== undefined) this.settle(outcome);
  }

  private endOfMessage(why: string): void {
    // The candidate at the head of the buffer will never complete. Reject it,
    // then rescan what follows its SYNC: complete frames may still be inside.
    while (this.len > 0) {
      const syncBytes = Math.min(SYNC_BYTES, this.len);
      const message = `frame cut short: ${this.len} bytes buffered when ${why}`;
      this.rejectCandidate('truncated', message, this.buf.subarray(0, this.len), 0, syncBytes);
      const used = this.scan(this.buf, syncBytes, this.len);
      this.buf.copyWithin(0, used, this.len);
      this.len -= used;
    }
    this.flushGarbage();
  }

  /** Decodes every complete candidate in bytes[start, end) and returns where the unconsumed tail begins. */
  private scan(bytes: Uint8Array, start: number, end: number): number {
    let p = start;
    while (p < end) {
      if (bytes[p] !== SYNC_LEAD_BYTE) {
        const q = nextLeadByte(bytes, p + 1, end);
        this.skip(q - p);
        p = q;
        continue;
      }
      if (end - p < 2) break;
      if (kindOfSyncByte(bytes[p + 1]) === undefined) {
        this.skip(1);
        p += 1;
        continue;
      }
      if (end - p < 4) break;
      const size = (bytes[p + 2] << 8) | bytes[p + 3];
      const bad = this.checkSize(size);
      if (bad !== undefined) {
        this.rejectCandidate(bad, this.sizeMessage(bad, size), bytes, p, SYNC_BYTES);
        p += SYNC_BYTES;
        continue;
      }
      if (end - p < size) break;
      if (!crcMatches(bytes, p, size)) {
        this.rejectCandidate('crc', `CHK mismatch in a ${size}-byte frame`, bytes, p, SYNC_BYTES);
        p += SYNC_BYTES;
        continue;
      }
      this.accept(bytes, p, size);
      p += size;
    }
    return p;
  }

  private checkSize(size: number): RejectReason | undefined {
    if (size < MIN_FRAME_BYTES) return 'size-mismatch';
    if (size > this.maxFrameBytes) return 'oversized';
    return undefined;
  }

  private sizeMessage(reason: RejectReason, size: number): string {
    return reason === 'oversized'
      ? `FRAMESIZE ${size} exceeds maxFrameBytes ${this.maxFrameBytes}`
      : `FRAMESIZE ${size} is below the ${MIN_FRAME_BYTES}-byte minimum`;
  }

  /** Rejects the candidate at bytes[p]; only its SYNC is consumed, the scanner goes on after it. */
  private rejectCandidate(
    reason: RejectReason,
    message: string,
    bytes: Uint8Array,
    p: number,
    syncBytes: number,
  ): void {
    this.flushGarbage();
    this.counters.rejected[reason] += 1;
    this.pendingReject = { reason, message, ...headerOf(bytes, p) };
    this.skip(syncBytes);
  }

  private accept(bytes: Uint8Array, p: number, size: number): void {
    this.flushGarbage();
    const kind = kindOfSyncByte(bytes[p + 1]);
    if (kind === 'data') {
      this.acceptData(bytes, p, size);
      return;
    }
    if (kind === 'cfg3' && size >= MIN_FRAGMENT_BYTES && contIdxAt(bytes, p) !== 0) {
      this.acceptFragment(bytes, p, size);
      return;
    }
    const frame = this.decodeOrDiscard(bytes, p, size);
    if (frame === undefined) return;
    const isConfig = frame.kind === 'cfg1' || frame.kind === 'cfg2' || frame.kind === 'cfg3';
    const refusal = isConfig ? this.configs.refusal(frame) : undefined;
    if (refusal !== undefined) {
      this.discardFrame('config-limit', refusal, bytes, p, size);
      return;
    }
    if (isConfig) this.configs.put(frame);
    this.counters.frames[frame.kind] += 1;
    this.counters.bytesAccepted += size;
    this.handlers.onFrame?.(frame);
  }

  /** A frame of a CFG-3 series: held (a copy of its content) until the series completes or is refused. */
  private acceptFragment(bytes: Uint8Array, p: number, size: number): void {
    const head = readHead(bytes, p);
    const contIdx = contIdxAt(bytes, p);
    this.handlers.onConfig3Fragment?.({
      idcode: head.idcode,
      contIdx,
      soc: head.soc,
      fracsec: head.fracsec,
      frameBytes: size,
    });
    const content = bytes.slice(p + COMMON_HEADER_BYTES + 2, p + size - CHK_BYTES);
    const outcomes = this.series.offer({ head, contIdx, content, frameBytes: size });
    // The series' content counts against the configuration store's bounds while it is held.
    const tooMuch = this.configs.holdSeriesBytes(this.series.heldBytes);
    if (tooMuch !== undefined) {
      const abandoned = this.series.abandon(tooMuch, 'config-limit');
      this.configs.holdSeriesBytes(0);
      if (abandoned !== undefined) outcomes.push(abandoned);
    }
    for (const outcome of outcomes) this.settle(outcome);
  }

  /** Carries out what the assembler decided about a series. */
  private settle(o: AssemblyOutcome): void {
    if (o.type === 'held') return;
    if (o.type === 'refused') {
      this.refuseSeries(o.reason, o.message, o.idcode, o.frameBytes);
      return;
    }
    const refusal = this.configs.refusal(o.config);
    if (refusal !== undefined) {
      this.refuseSeries('config-limit', refusal, o.config.idcode, o.frameBytes);
      return;
    }
    this.configs.put(o.config);
    this.counters.frames.cfg3 += o.config.fragments ?? 1;
    this.counters.bytesAccepted += o.frameBytes;
    this.handlers.onFrame?.(o.config);
  }

  private refuseSeries(reason: RejectReason, message: string, idcode: number, frameBytes: number): void {
    this.counters.bytesDiscarded += frameBytes;
    this.counters.rejected[reason] += 1;
    this.handlers.onReject?.({ reason, message, bytes: frameBytes, kind: 'cfg3', idcode });
  }

  /** The frame's object form, or undefined after reporting why it was refused. */
  private decodeOrDiscard(bytes: Uint8Array, p: number, size: number): Frame | undefined {
    try {
      return decodeBody(bytes, p, readHead(bytes, p), this.configs.configFor);
    } catch (error) {
      if (!(error instanceof FrameFormatError)) throw error;
      this.discardFrame(error.reason, error.message, bytes, p, size);
      return undefined;
    }
  }

  private acceptData(bytes: Uint8Array, p: number, size: number): void {
    const idcode = (bytes[p + 4] << 8) | bytes[p + 5];
    const entry = this.configs.get(idcode);
    if (entry === undefined) {
      this.discardFrame(
        'no-config',
        `data frame from IDCODE ${idcode} arrived before any configuration for it`,
        bytes,
        p,
        size,
      );
      return;
    }
    if (entry.layout.frameSize !== size) {
      this.discardFrame(
        'size-mismatch',
        `data frame from IDCODE ${idcode} is ${size} bytes; its configuration implies ${entry.layout.frameSize}`,
        bytes,
        p,
        size,
      );
      return;
    }
    entry.view.decode(bytes, p);
    this.counters.frames.data += 1;
    this.counters.bytesAccepted += size;
    this.handlers.onData?.(entry.view);
  }

  /** A frame with valid framing and CRC whose content is refused: skip it whole. */
  private discardFrame(
    reason: RejectReason,
    message: string,
    bytes: Uint8Array,
    p: number,
    size: number,
  ): void {
    this.counters.bytesDiscarded += size;
    this.counters.rejected[reason] += 1;
    this.handlers.onReject?.({ reason, message, bytes: size, ...headerOf(bytes, p) });
  }

  private skip(n: number): void {
    this.garbage += n;
    this.counters.bytesDiscarded += n;
  }

  private flushGarbage(): void {
    const pending = this.pendingReject;
    if (pending !== undefined) {
      this.handlers.onReject?.({ ...pending, bytes: this.garbage });
    } else if (this.garbage > 0) {
      this.counters.rejected['bad-sync'] += 1;
      this.handlers.onReject?.({
        reason: 'bad-sync',
        message: `${this.garbage} bytes without a valid SYNC word skipped`,
        bytes: this.garbage,
      });
    }
    this.garbage = 0;
    this.pendingReject = undefined;
  }
}

/** A CFG-3 long enough to hold CONT_IDX. */
const MIN_FRAGMENT_BYTES = COMMON_HEADER_BYTES + 2 + CHK_BYTES;

function contIdxAt(bytes: Uint8Array, p: number): number {
  return (bytes[p + COMMON_HEADER_BYTES] << 8) | bytes[p + COMMON_HEADER_BYTES + 1];
}

function nextLeadByte(bytes: Uint8Array, from: number, end: number): number {
  const at = bytes.indexOf(SYNC_LEAD_BYTE, from);
  return at === -1 || at > end ? end : at;
}

function headerOf(bytes: Uint8Array, p: number): { kind?: FrameKind; idcode?: number } {
  if (bytes.length - p < 6) return {};
  const kind = kindOfSyncByte(bytes[p + 1]);
  return kind === undefined ? {} : { kind, idcode: (bytes[p + 4] << 8) | bytes[p + 5] };
}
