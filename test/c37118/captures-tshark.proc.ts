import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CaptureInspector,
  readCapture,
  DEFAULT_INSPECT_OPTIONS,
  FRAME_TYPE_CODE,
  type FrameKind,
  type InspectedFrame,
} from '@gridcloud/c37118';
import { ensureTshark } from '../../scripts/tshark.mjs';
import { CAPTURE_FIXTURES } from '../../libs/c37118/src/testing/capture-fixtures';
import { PCAP_DIR } from '../../libs/c37118/src/testing/pcap-readme';

/**
 * Every C37.118 frame the project decodes from a capture, and every packet
 * time it reads, against Wireshark's synphasor dissector (Debian's tshark,
 * installed by scripts/tshark.mjs when missing): the same frames in the same
 * packets with the same IDCODE, SOC and FRACSEC, and the same capture times.
 * The pcapng and IPv6 captures are the project's own writer's; the classic
 * ones are the vendored real captures.
 */
const FIXTURES = CAPTURE_FIXTURES.map((f) => f.file);
/**
 * The two 1100 captures are left out: there tshark shows the three frames in
 * retransmitted segments as TCP retransmissions (the captures' README counts
 * transmissions, as `inspectCapture` does) and the 16-byte header frame with
 * no text as bare TCP, so they cannot agree frame for frame.
 */
const VENDORED = [
  'C37.118_1PMU_TCP.pcap',
  'C37.118_1PMU_UDP.pcap',
  'C37.118_1PMU_UDP_minimal.pcap',
  'C37.118_2PMUsInSync_TCP.pcap',
];

const KIND_BY_TYPE = new Map<number, FrameKind>(
  Object.entries(FRAME_TYPE_CODE).map(([k, code]) => [code, k as FrameKind]),
);

let tshark = '';

function runTshark(file: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const f of fields) args.push('-e', f);
  if (filter !== undefined) args.push('-Y', filter);
  const out = execFileSync(tshark, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

/** tshark prints SOC as a date ("Aug  1, 2008 16:01:20.000000000 UTC"); SOC is whole seconds. */
function socOf(text: string): number {
  const ms = Date.parse(text.replace(/\.\d+ UTC$/, ' UTC'));
  if (Number.isNaN(ms)) throw new Error(`tshark SOC '${text}' is not a date`);
  return ms / 1000;
}

/**
 * tshark numbers every record it shows, and it shows a pcapng custom block as
 * one (protocol PCAPNG); the reader skips such blocks. Returns each tshark
 * record number's packet number among real packets, and the packets' times.
 */
function tsharkPackets(file: string): { packetOf: Map<number, number>; times: string[] } {
  const packetOf = new Map<number, number>();
  const times: string[] = [];
  for (const [record, time, protocol] of runTshark(file, [
    'frame.number',
    'frame.time_epoch',
    '_ws.col.Protocol',
  ])) {
    if (protocol === 'PCAPNG') continue;
    times.push(time ?? '');
    packetOf.set(Number(record), times.length);
  }
  return { packetOf, times };
}

function tsharkFrames(file: string, packetOf: Map<number, number>): InspectedFrame[] {
  const rows = runTshark(
    file,
    [
      'frame.number',
      'synphasor.frtype',
      'synphasor.idcode_stream_source',
      'synphasor.soc',
      'synphasor.fracsec_raw',
    ],
    'synphasor',
  );
  const frames: InspectedFrame[] = [];
  for (const [record, types, idcodes, socs, fracsecs] of rows) {
    const packet = packetOf.get(Number(record));
    if (packet === undefined) throw new Error(`tshark record ${record} carries C37.118 but is not a packet`);
    const [ids, ss, fs] = [idcodes.split('|'), socs.split('|'), fracsecs.split('|')];
    types.split('|').forEach((type, i) => {
      const kind = KIND_BY_TYPE.get(Number(type));
      if (kind === undefined) throw new Error(`tshark frame type ${type} in record ${record}`);
      frames.push({ packet, kind, idcode: Number(ids[i]), soc: socOf(ss[i]), fracsec: Number(fs[i]) });
    });
  }
  return frames;
}

function ourFrames(bytes: Uint8Array): InspectedFrame[] {
  const frames: InspectedFrame[] = [];
  new CaptureInspector(DEFAULT_INSPECT_OPTIONS, (f) => frames.push(f)).inspect(bytes);
  return frames;
}

describe('captures against tshark, frame for frame', () => {
  beforeAll(() => {
    tshark = ensureTshark();
  });

  for (const file of [...FIXTURES, ...VENDORED]) {
    it(`${file}: the same C37.118 frames in the same packets, and the same packet times`, () => {
      const path = `${PCAP_DIR}${file}`;
      const bytes = new Uint8Array(readFileSync(path));
      const ours = ourFrames(bytes);
      const { packetOf, times } = tsharkPackets(path);
      expect(ours.length).toBeGreaterThan(0);
      expect(ours).toEqual(tsharkFrames(path, packetOf));

      const packets = [...readCapture(bytes).packets()];
      expect(packets.length).toBe(times.length);
      packets.forEach((p, i) => {
        // A simple packet block has no timestamp: tshark prints none, the reader gives 0.
        if (times[i] === undefined || times[i] === '') expect(p.time).toBe(0);
        else expect(Math.abs(p.time - Number(times[i])), `packet ${i + 1}`).toBeLessThan(1e-6);
      });
    });
  }
});
