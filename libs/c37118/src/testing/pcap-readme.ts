import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FrameCounts } from '../stream/decoder-counters';

/** The C37.118 captures vendored in the repository (data/pcaps, see its README for provenance). */
export const PCAP_DIR = fileURLToPath(new URL('../../../../data/pcaps/', import.meta.url));

export interface ExpectedCapture {
  readonly file: string;
  readonly frames: FrameCounts;
  /** IDCODEs named in the description ("IDCODE 241", "IDCODE 60 and 241"). */
  readonly idcodes: number[];
}

const KIND: Record<string, keyof FrameCounts> = {
  data: 'data',
  header: 'header',
  'CFG-1': 'cfg1',
  'CFG-2': 'cfg2',
  'CFG-3': 'cfg3',
  command: 'cmd',
};

/**
 * Expected frame counts per capture, read from the table in the captures'
 * README so the specs follow the documented truth rather than a copy of it.
 */
export function expectedCaptures(): ExpectedCapture[] {
  const rows = readFileSync(`${PCAP_DIR}README.md`, 'utf8')
    .split('\n')
    .filter((l) => /^\|\s*\S+\.pcap(ng)?\s*\|/.test(l))
    .map((l) => l.split('|').map((c) => c.trim()));
  const out: ExpectedCapture[] = [];
  for (const [, file, frames, what] of rows) {
    const previous = out[out.length - 1];
    const counts =
      frames.startsWith('same frames') && previous !== undefined
        ? { ...previous.frames }
        : parseCounts(frames);
    const idcodes =
      previous !== undefined && frames.startsWith('same frames') ? previous.idcodes : parseIdcodes(what);
    out.push({ file, frames: counts, idcodes });
  }
  return out;
}

function parseCounts(cell: string): FrameCounts {
  const counts: FrameCounts = { data: 0, header: 0, cfg1: 0, cfg2: 0, cfg3: 0, cmd: 0 };
  for (const part of cell.split(',')) {
    const m = /^(\d+)\s+(\S+)$/.exec(part.trim());
    if (m === null || KIND[m[2]] === undefined)
      throw new Error(`cannot read frame count '${part.trim()}' in the captures README`);
    counts[KIND[m[2]]] = Number(m[1]);
  }
  return counts;
}

function parseIdcodes(what: string): number[] {
  const m = /IDCODEs? ([\d ,and]+)/.exec(what);
  return m === null ? [] : (m[1].match(/\d+/g) ?? []).map(Number).sort((a, b) => a - b);
}
