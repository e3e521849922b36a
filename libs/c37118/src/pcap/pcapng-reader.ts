import { C37ConfigError } from '../errors/config-error';
import { PcapFormatError } from '../errors/pcap-format-error';
import type { PcapPacket } from './pcap-reader';
import { DEFAULT_MAX_PACKET_BYTES, type ByteSource } from './pcap-stream-reader';

export const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
export const PCAPNG_INTERFACE_DESCRIPTION = 0x00000001;
export const PCAPNG_OBSOLETE_PACKET = 0x00000002;
export const PCAPNG_SIMPLE_PACKET = 0x00000003;
export const PCAPNG_ENHANCED_PACKET = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** A packet block's data may come with this much header and options on top of `maxPacketBytes`. */
const BLOCK_OVERHEAD_BYTES = 65_536;
export const DEFAULT_MAX_BLOCK_BYTES = DEFAULT_MAX_PACKET_BYTES + BLOCK_OVERHEAD_BYTES;

const BLOCK_NAMES: Readonly<Record<number, string>> = {
  [PCAPNG_SECTION_HEADER]: 'section header block',
  [PCAPNG_INTERFACE_DESCRIPTION]: 'interface description block',
  [PCAPNG_OBSOLETE_PACKET]: 'packet block',
  [PCAPNG_SIMPLE_PACKET]: 'simple packet block',
  [PCAPNG_ENHANCED_PACKET]: 'enhanced packet block',
};

/** Smallest total length of each block type this reader interprets (header, fixed fields, trailer). */
const MIN_BLOCK_BYTES: Readonly<Record<number, number>> = {
  [PCAPNG_SECTION_HEADER]: 28,
  [PCAPNG_INTERFACE_DESCRIPTION]: 20,
  [PCAPNG_OBSOLETE_PACKET]: 32,
  [PCAPNG_SIMPLE_PACKET]: 16,
  [PCAPNG_ENHANCED_PACKET]: 32,
};
const MIN_ANY_BLOCK_BYTES = 12;

export interface PcapngOptions {
  /** Largest packet a block may carry, in bytes. */
  readonly maxPacketBytes: number;
  /** Largest block (header, packet, options, trailer), in bytes; a bound against a corrupt or hostile length. */
  readonly maxBlockBytes: number;
}

export const DEFAULT_PCAPNG_OPTIONS: PcapngOptions = {
  maxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
  maxBlockBytes: DEFAULT_MAX_BLOCK_BYTES,
};

export interface PcapngInterface {
  readonly linkType: number;
  /** 0: no limit. */
  readonly snapLength: number;
  /** Timestamp units per second (if_tsresol; 10^6 when absent). */
  readonly unitsPerSecond: bigint;
  /** Seconds added to every timestamp (if_tsoffset). */
  readonly offsetSeconds: number;
}

export interface PcapngSummary {
  readonly format: 'pcapng';
  sections: number;
  /** Interfaces described over all sections. */
  interfaces: number;
  /** Blocks of types this reader does not interpret (statistics, name resolution, custom, ...), skipped whole. */
  skippedBlocks: number;
  /** True when the file ends inside a block (a capture cut short); the partial block is ignored. */
  truncated: boolean;
}

interface Block {
  readonly type: number;
  /** File offset of the block's first byte, for error messages. */
  readonly offset: number;
  readonly body: DataView;
  readonly bytes: Uint8Array;
}

/**
 * pcapng read block by block from a source (a file, a pipe): section
 * headers in either byte order, several interfaces each with its own link
 * type and timestamp resolution, enhanced, simple and obsolete packet blocks;
 * every other block is skipped whole. Blocks are bounded by `maxBlockBytes`
 * and packets by `maxPacketBytes`; a block that breaks the format is a
 * PcapFormatError naming the block and its offset, and a file that ends
 * inside a block is marked truncated.
 */
export class PcapngReader {
  readonly summary: PcapngSummary = {
    format: 'pcapng',
    sections: 0,
    interfaces: 0,
    skippedBlocks: 0,
    truncated: false,
  };
  private littleEndian = true;
  private interfaces: PcapngInterface[] = [];
  private offset = 0;
  private readonly first: Block;

  constructor(
    private readonly read: ByteSource,
    private readonly options: PcapngOptions = DEFAULT_PCAPNG_OPTIONS,
  ) {
    checkOptions(options);
    const first = this.nextBlock();
    if (first === undefined || first.type !== PCAPNG_SECTION_HEADER)
      throw new PcapFormatError('a pcapng file must begin with a complete section header block');
    this.first = first;
  }

  *packets(): Generator<PcapPacket> {
    let block: Block | undefined = this.first;
    while (block !== undefined) {
      const packet = this.interpret(block);
      if (packet !== undefined) yield packet;
      block = this.nextBlock();
    }
  }

  private interpret(block: Block): PcapPacket | undefined {
    switch (block.type) {
      case PCAPNG_SECTION_HEADER:
        return this.onSection(block);
      case PCAPNG_INTERFACE_DESCRIPTION:
        return this.onInterface(block);
      case PCAPNG_ENHANCED_PACKET:
      case PCAPNG_OBSOLETE_PACKET:
        return this.timedPacket(block);
      case PCAPNG_SIMPLE_PACKET:
        return this.simplePacket(block);
      default:
        this.summary.skippedBlocks += 1;
        return undefined;
    }
  }

  private onSection(block: Block): undefined {
    const major = block.body.getUint16(4, this.littleEndian);
    if (major !== 1)
      throw formatError(
        block,
        `version ${major}.${block.body.getUint16(6, this.littleEndian)} is not pcapng 1.x`,
      );
    // Interface ids are numbered per section: a new section starts again from 0.
    this.interfaces = [];
    this.summary.sections += 1;
    return undefined;
  }

  private onInterface(block: Block): undefined {
    const le = this.littleEndian;
    let unitsPerSecond = 1_000_000n;
    let offsetSeconds = 0;
    for (const option of readOptions(block, 8, le)) {
      if (option.code === OPTION_IF_TSRESOL && option.value.byteLength >= 1) {
        const v = option.value.getUint8(0);
        unitsPerSecond = (v & 0x80) !== 0 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
      } else if (option.code === OPTION_IF_TSOFFSET && option.value.byteLength >= 8) {
        offsetSeconds = Number(option.value.getBigInt64(0, le));
      }
    }
    this.interfaces.push({
      linkType: block.body.getUint16(0, le),
      snapLength: block.body.getUint32(4, le),
      unitsPerSecond,
      offsetSeconds,
    });
    this.summary.interfaces += 1;
    return undefined;
  }

  /** Enhanced packet block, or the obsolete packet block with its 16-bit interface id and drop count. */
  private timedPacket(block: Block): PcapPacket {
    const le = this.littleEndian;
    const b = block.body;
    const obsolete = block.type === PCAPNG_OBSOLETE_PACKET;
    const id = obsolete ? b.getUint16(0, le) : b.getUint32(0, le);
    const iface = this.interfaceOf(block, id);
    const units = (BigInt(b.getUint32(4, le)) << 32n) | BigInt(b.getUint32(8, le));
    const captured = b.getUint32(12, le);
    const data = this.packetData(block, 20, captured);
    return {
      time: timeOf(units, iface),
      linkType: iface.linkType,
      data,
      originalLength: b.getUint32(16, le),
    };
  }

  /** A simple packet block: interface 0, no timestamp (time 0), data up to the snap length. */
  private simplePacket(block: Block): PcapPacket {
    const iface = this.interfaceOf(block, 0);
    const originalLength = block.body.getUint32(0, this.littleEndian);
    const room = block.body.byteLength - 4;
    const snap = iface.snapLength === 0 ? originalLength : Math.min(originalLength, iface.snapLength);
    const captured = Math.min(snap, room);
    return { time: 0, linkType: iface.linkType, data: this.packetData(block, 4, captured), originalLength };
  }

  private interfaceOf(block: Block, id: number): PcapngInterface {
    const iface = this.interfaces[id];
    if (iface === undefined)
      throw formatError(block, `names interface ${id}, but its section describes ${this.interfaces.length}`);
    return iface;
  }

  private packetData(block: Block, at: number, captured: number): Uint8Array {
    if (captured > this.options.maxPacketBytes)
      throw formatError(
        block,
        `holds a ${captured}-byte packet, more than maxPacketBytes ${this.options.maxPacketBytes}`,
      );
    if (at + captured > block.body.byteLength)
      throw formatError(
        block,
        `claims a ${captured}-byte packet but has room for ${block.body.byteLength - at}`,
      );
    return block.bytes.subarray(at, at + captured);
  }

  /** The next whole block, or undefined at the end of the file (marked truncated when it ends inside one). */
  private nextBlock(): Block | undefined {
    const offset = this.offset;
    const head = new Uint8Array(12);
    const got = this.fill(head.subarray(0, 8));
    if (got === 0) return undefined;
    if (got < 8) return this.cutShort();
    const view = new DataView(head.buffer);
    let headBytes = 8;
    if (view.getUint32(0) === PCAPNG_SECTION_HEADER) {
      // The byte-order magic decides how this section's lengths are read, its own included.
      if (this.fill(head.subarray(8, 12)) < 4) return this.cutShort();
      this.littleEndian = byteOrderOf(view.getUint32(8), offset);
      headBytes = 12;
    }
    const type = view.getUint32(0, this.littleEndian);
    const length = view.getUint32(4, this.littleEndian);
    this.checkLength(type, length, offset);
    const rest = new Uint8Array(length - 8);
    if (headBytes === 12) rest.set(head.subarray(8, 12));
    if (this.fill(rest.subarray(headBytes - 8)) < rest.length - (headBytes - 8)) return this.cutShort();
    const trailer = new DataView(rest.buffer).getUint32(rest.length - 4, this.littleEndian);
    const block = { type, offset, bytes: rest.subarray(0, rest.length - 4), body: bodyView(rest) };
    if (trailer !== length)
      throw formatError(block, `ends with total length ${trailer}, but began with ${length}`);
    return block;
  }

  private checkLength(type: number, length: number, offset: number): void {
    const where = `pcapng ${blockName(type)} at offset ${offset}`;
    const min = MIN_BLOCK_BYTES[type] ?? MIN_ANY_BLOCK_BYTES;
    if (length % 4 !== 0)
      throw new PcapFormatError(`${where}: total length ${length} is not a multiple of 4`);
    if (length < min)
      throw new PcapFormatError(`${where}: total length ${length} is below its minimum ${min}`);
    if (length > this.options.maxBlockBytes)
      throw new PcapFormatError(
        `${where}: total length ${length} is more than maxBlockBytes ${this.options.maxBlockBytes}`,
      );
  }

  private cutShort(): undefined {
    this.summary.truncated = true;
    return undefined;
  }

  /** Reads until `into` is full or the source ends; returns the bytes read. */
  private fill(into: Uint8Array): number {
    let at = 0;
    while (at < into.length) {
      const n = this.read(into, at, into.length - at);
      if (n === 0) break;
      at += n;
    }
    this.offset += at;
    return at;
  }
}

function checkOptions(o: PcapngOptions): void {
  if (!Number.isInteger(o.maxPacketBytes) || o.maxPacketBytes < 1)
    throw new C37ConfigError(`maxPacketBytes must be a positive integer, got ${String(o.maxPacketBytes)}`);
  if (!Number.isInteger(o.maxBlockBytes) || o.maxBlockBytes < MIN_BLOCK_BYTES[PCAPNG_SECTION_HEADER])
    throw new C37ConfigError(
      `maxBlockBytes must be an integer of at least 28, got ${String(o.maxBlockBytes)}`,
    );
}

function byteOrderOf(magicBigEndian: number, offset: number): boolean {
  if (magicBigEndian === BYTE_ORDER_MAGIC) return false;
  if (magicBigEndian === 0x4d3c2b1a) return true;
  throw new PcapFormatError(
    `pcapng section header block at offset ${offset}: byte-order magic 0x${magicBigEndian.toString(16)} is neither 0x1a2b3c4d nor its swap`,
  );
}

/** The block's bytes after type and length, without the trailing length. */
function bodyView(rest: Uint8Array): DataView {
  return new DataView(rest.buffer, rest.byteOffset, rest.length - 4);
}

function blockName(type: number): string {
  return `${BLOCK_NAMES[type] ?? 'block'} (type 0x${type.toString(16)})`;
}

function formatError(block: Block, what: string): PcapFormatError {
  return new PcapFormatError(`pcapng ${blockName(block.type)} at offset ${block.offset} ${what}`);
}

interface BlockOption {
  readonly code: number;
  readonly value: DataView;
}

/** The options after a block's fixed fields; each is padded to 4 bytes, the list ends at opt_endofopt or the body's end. */
function readOptions(block: Block, from: number, le: boolean): BlockOption[] {
  const b = block.body;
  const out: BlockOption[] = [];
  for (let at = from; at + 4 <= b.byteLength;) {
    const code = b.getUint16(at, le);
    const length = b.getUint16(at + 2, le);
    if (code === OPTION_END) break;
    if (at + 4 + length > b.byteLength)
      throw formatError(block, `has option ${code} of ${length} bytes running past the block's end`);
    out.push({ code, value: new DataView(b.buffer, b.byteOffset + at + 4, length) });
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return out;
}

/** Exact to the unit however fine the resolution: the whole seconds are divided out as integers first. */
function timeOf(units: bigint, iface: PcapngInterface): number {
  const seconds = units / iface.unitsPerSecond;
  const fraction = Number(units - seconds * iface.unitsPerSecond) / Number(iface.unitsPerSecond);
  return Number(seconds) + fraction + iface.offsetSeconds;
}
