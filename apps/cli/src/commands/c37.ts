import { closeSync, openSync, readSync } from 'node:fs';
import { inspectCaptureStream, PcapFormatError, type InspectDetails } from '@gridcloud/c37118';

const USAGE = [
  'usage: gridcloud c37 inspect FILE.pcap|FILE.pcapng [--json]',
  '',
  '  inspect   decode every IEEE C37.118 frame in a pcap or pcapng capture, IPv4 or IPv6 (TCP reassembled,',
  '            UDP per datagram); the format is read from the file, so Wireshark and dumpcap files need no',
  '            conversion; the capture is streamed (a file, a FIFO or /dev/fd/N), one packet of at most',
  '            262144 bytes at a time',
  '  --json    print the summary as one JSON object on the last line',
].join('\n');

/**
 * `gridcloud c37 ...`: tools over the C37.118 codec. Returns the exit code:
 * 0 on success, 1 when the capture cannot be read, 2 on a usage error.
 */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'inspect') return usageError(`unknown c37 subcommand '${sub}'`);
  const json = rest.includes('--json');
  const unknown = rest.filter((a) => a.startsWith('-') && a !== '--json');
  if (unknown.length > 0) return usageError(`unknown option ${unknown.join(', ')}`);
  const files = rest.filter((a) => !a.startsWith('-'));
  if (files.length !== 1) return usageError('inspect takes exactly one capture file');
  return inspect(files[0], json);
}

/** A read of the capture failed part way (an I/O error, not a format error). */
class CaptureReadError extends Error {}

async function inspect(path: string, json: boolean): Promise<number> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    process.stderr.write(`gridcloud c37: cannot read '${path}': ${(error as Error).message}\n`);
    return 1;
  }
  let details: InspectDetails;
  try {
    details = inspectCaptureStream((into, at, length) => readFrom(fd, into, at, length));
  } catch (error) {
    if (!(error instanceof PcapFormatError || error instanceof CaptureReadError)) throw error;
    process.stderr.write(`gridcloud c37: '${path}' is not a readable capture: ${error.message}\n`);
    return 1;
  } finally {
    closeSync(fd);
  }
  process.stdout.write(json ? `${JSON.stringify(details.report)}\n` : humanReport(path, details));
  return 0;
}

function readFrom(fd: number, into: Uint8Array, at: number, length: number): number {
  try {
    return readSync(fd, into, at, length, null);
  } catch (error) {
    throw new CaptureReadError((error as Error).message);
  }
}

function humanReport(path: string, d: InspectDetails): string {
  const r = d.report;
  const frames = Object.entries(r.frames)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const rejects = Object.entries(d.rejects)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    `capture     ${path} (${d.captureFormat})${d.captureTruncated ? ' (file ends inside a packet record)' : ''}`,
    `packets     ${d.packets.total} (tcp ${d.packets.tcp}, udp ${d.packets.udp}, other ${d.packets.skipped}${skipped(d)}); IPv6 ${d.packets.ipv6}; non-C37.118 flows ${d.otherFlows}`,
    `frames      ${frames}${d.retransmittedFrames > 0 ? ` (${d.retransmittedFrames} in retransmitted segments)` : ''}`,
    `rejected    ${r.rejected}${rejects ? ` (${rejects})` : ''}; CRC errors ${r.crcErrors}`,
    `tcp         retransmitted bytes ${d.tcp.retransmittedBytes}, out-of-order segments ${d.tcp.outOfOrderSegments}, gaps ${d.tcp.gaps} (${d.tcp.gapBytes} bytes)`,
    `idcodes     ${r.idcodes.join(', ') || '-'}`,
    `stations    ${r.stations.join(', ') || '-'}${d.stationsDropped > 0 ? ` (names left out past maxStations: ${d.stationsDropped})` : ''}`,
    `data rate   ${r.dataRate ?? '-'}`,
    `time        ${formatTime(r.firstTime)} .. ${formatTime(r.lastTime)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Why packets were skipped, when any were (IP fragments are refused, not reassembled). */
function skipped(d: InspectDetails): string {
  const reasons = Object.entries(d.packets.skippedBy)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return reasons.length > 0 ? `: ${reasons.join(', ')}` : '';
}

function formatTime(t: number | null): string {
  return t === null ? '-' : new Date(t * 1000).toISOString();
}

function usageError(message: string): number {
  process.stderr.write(`gridcloud c37: ${message}\n${USAGE}\n`);
  return 2;
}
