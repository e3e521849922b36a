import { readFileSync } from 'node:fs';
import { PcapReader, decodePacket } from '@gridcloud/c37118';
const f = process.argv[2];
const r = new PcapReader(readFileSync(f));
const seen = new Map<string, Map<number, string>>();
let i = 0;
for (const p of r.packets()) {
  i++;
  const s = decodePacket(p.linkType, p.data);
  if (typeof s === 'string') { console.log(i, 'skip', s); continue; }
  if (s.protocol !== 'tcp') { console.log(i, 'udp', s.src, s.srcPort, s.dst, s.dstPort, s.payload.length, Buffer.from(s.payload.subarray(0, 4)).toString('hex')); continue; }
  const key = `${s.src}:${s.srcPort}>${s.dst}:${s.dstPort}`;
  const m = seen.get(key) ?? new Map(); seen.set(key, m);
  const hex = Buffer.from(s.payload).toString('hex');
  if (s.payload.length && m.has(s.seq)) console.log(i, 'DUP', key, s.seq, s.payload.length, m.get(s.seq) === hex ? 'same' : 'DIFFERENT', p.time);
  if (s.payload.length) m.set(s.seq, hex);
  if (s.syn || s.fin || s.rst) console.log(i, key, 'flags syn', s.syn, 'fin', s.fin, 'rst', s.rst, s.seq);
}
