import { decodeMessage, encodeMessageParts, type ProcessId, type WireBody } from '../protocol';
import { parseAddress, TcpTransport } from '../transport';
import { VsyncOptionsError } from './errors/vsync-options-error';

/** How to re-found a system after a total loss (a majority of its membership service died at once). */
export interface RefoundOptions {
  /** The system's seed list, as its processes were started with. */
  readonly seeds: readonly string[];
  /** The joining process to found the new system; default the first seed. */
  readonly target?: string;
  /** Where this tool listens for answers, and the address the processes answer to. */
  readonly bindHost?: string;
  readonly advertiseAddress?: string;
  /** How long every seed is asked whether a system runs before anything is decided. */
  readonly probeMs?: number;
  /** How long to wait for the target to report the new system before giving up. */
  readonly timeoutMs?: number;
  /** The system's shared secret, if its processes run keyed: without it they refuse this tool's connections. */
  readonly secret?: string | Uint8Array;
}

export type RefoundResult =
  /** A seed belongs to a running system: nothing was ordered (join that system instead). */
  | { readonly outcome: 'live'; readonly address: string; readonly viewId: number }
  /** The target founded a new system: the other processes join it as they retry. */
  | { readonly outcome: 'refounded'; readonly address: string; readonly viewId: number }
  /** The target did not report a system in time (down, unreachable, or its own check failed). */
  | { readonly outcome: 'timedOut'; readonly answered: readonly string[] };

const ASK_INTERVAL_MS = 200;
/** The target's own check takes foundAfterMs (1 s by default): the order is repeated only after longer than that. */
const REORDER_INTERVAL_MS = 3_000;

/**
 * The operator's way back after a total loss: asks every seed whether a system runs (any member answers with its view
 * id), and only if none does, orders the target (a joining process) to re-found. The target checks again itself and
 * founds only if no seed reports a running system and a majority of the seeds report none.
 */
export async function refoundSystem(options: RefoundOptions): Promise<RefoundResult> {
  const seeds = checkSeeds(options.seeds);
  const target = options.target ?? seeds[0];
  const answers = new Map<string, number>();
  const transport = new TcpTransport(
    {
      bindHost: options.bindHost ?? '127.0.0.1',
      advertiseAddress: options.advertiseAddress,
      secret: options.secret,
    },
    (fromAddress, bytes) => record(answers, fromAddress, bytes),
  );
  const address = await transport.start();
  const self: ProcessId = { address, incarnation: Date.now() };
  const send = (to: string, body: WireBody): void => {
    try {
      transport.send(to, encodeMessageParts({ from: self, toIncarnation: 0, linkSeq: 0, linkAck: 0, body }));
    } catch {
      // An address that cannot be reached is simply one that does not answer.
    }
  };
  try {
    await ask(seeds, send, options.probeMs ?? 1_500);
    const live = [...answers].find(([, viewId]) => viewId > 0);
    if (live !== undefined) return { outcome: 'live', address: live[0], viewId: live[1] };
    return await order(target, answers, send, options.timeoutMs ?? 15_000);
  } finally {
    await transport.close();
  }
}

function record(answers: Map<string, number>, fromAddress: string, bytes: Uint8Array): boolean {
  try {
    const message = decodeMessage(bytes);
    if (message.body.kind === 'systemLive') answers.set(message.from.address, message.body.viewId);
    return true;
  } catch {
    return false;
  }
}

async function ask(
  seeds: readonly string[],
  send: (to: string, body: WireBody) => void,
  ms: number,
): Promise<void> {
  for (let waited = 0; waited < ms; waited += ASK_INTERVAL_MS) {
    for (const seed of seeds) send(seed, { kind: 'probe' });
    await sleep(ASK_INTERVAL_MS);
  }
}

async function order(
  target: string,
  answers: Map<string, number>,
  send: (to: string, body: WireBody) => void,
  timeoutMs: number,
): Promise<RefoundResult> {
  for (let waited = 0; waited < timeoutMs; waited += ASK_INTERVAL_MS) {
    if (waited % REORDER_INTERVAL_MS === 0) send(target, { kind: 'refound' });
    send(target, { kind: 'probe' });
    await sleep(ASK_INTERVAL_MS);
    const viewId = answers.get(target) ?? 0;
    if (viewId > 0) return { outcome: 'refounded', address: target, viewId };
  }
  return { outcome: 'timedOut', answered: [...answers.keys()] };
}

function checkSeeds(seeds: readonly string[]): readonly string[] {
  if (!Array.isArray(seeds) || seeds.length === 0)
    throw new VsyncOptionsError('seeds', 'must list the system\'s "host:port" seed addresses');
  for (const seed of seeds) {
    try {
      parseAddress(seed);
    } catch (error) {
      throw new VsyncOptionsError('seeds', error instanceof Error ? error.message : String(error));
    }
  }
  return seeds;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
