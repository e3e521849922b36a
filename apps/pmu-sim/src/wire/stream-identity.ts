import type { PmuIdentity } from '@gridcloud/c37118';
import type { SimStream } from '../model/pmu-simulator';
import { formatName } from '../model/stream-format';
import { config3Of } from './config3';

/** Built once per stream object (a configuration change makes a new one), not per command. */
const identities = new WeakMap<SimStream, PmuIdentity>();

/** What a simulated stream answers to header, CFG-1, CFG-2 and CFG-3 requests. */
export function streamIdentity(stream: SimStream): PmuIdentity {
  let identity = identities.get(stream);
  if (identity === undefined) {
    identity = { cfg2: stream.config, cfg3: config3Of(stream.config), header: headerText(stream) };
    identities.set(stream, identity);
  }
  return identity;
}

function headerText(s: SimStream): string {
  const pmus = s.pmus.map((p) => `${p.idcode}@bus${p.busId}`).join(' ');
  return `GridCloud PMU simulator stream ${s.idcode}: phasors in per unit on the case base, ${formatName(s.format)}; PMUs ${pmus}`.slice(
    0,
    60_000,
  );
}
