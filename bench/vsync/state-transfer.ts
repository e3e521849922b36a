/**
 * State-transfer throughput against a raw TCP copy of the same bytes, in one run: a holder process founds a group
 * whose state is `bytes` bytes; a joiner process first copies the same bytes over a plain socket (4 MiB writes paced
 * by 'drain', the best a bulk copy does), then joins with state transfer. The state-transfer time runs from join() to
 * its resolution: the view change, the holder's checkpoint spooled to a file and hashed, the out-of-band stream and
 * the digest check, as an application waits for it.
 *
 *   npx tsx bench/vsync/state-transfer.ts [--mib 1024]
 */
import { HIGH_RATE_NODE_FLAGS } from '@gridcloud/vsync';
import { MemberProcess } from '../../test/vsync/member-process';

const PROGRAM = 'bench/vsync/state-transfer-member.ts';

export interface StateTransferFigures {
  readonly mbPerSec: number;
  readonly rawMbPerSec: number;
  /** State-transfer throughput over raw TCP throughput. */
  readonly ratio: number;
  readonly bytes: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Transfers `bytes` (default 1 GiB) between two member processes, and the same bytes over raw TCP. */
export async function measureStateTransfer(bytes = 1024 * 1024 * 1024): Promise<StateTransferFigures> {
  const holder = new MemberProcess('holder', PROGRAM, { bytes }, [], HIGH_RATE_NODE_FLAGS);
  try {
    const ready = await holder.next((e) => e.event === 'ready');
    const joiner = new MemberProcess(
      'joiner',
      PROGRAM,
      { bytes, seeds: [ready.address], rawPort: ready.rawPort },
      [],
      HIGH_RATE_NODE_FLAGS,
    );
    try {
      const raw = await joiner.next((e) => e.event === 'rawDone');
      const joined = await joiner.next((e) => e.event === 'joined');
      const mb = bytes / 1e6;
      const mbPerSec = round2(mb / ((joined.ms as number) / 1000));
      const rawMbPerSec = round2(mb / ((raw.ms as number) / 1000));
      return { mbPerSec, rawMbPerSec, ratio: round2(mbPerSec / rawMbPerSec), bytes };
    } finally {
      await joiner.stop(10_000);
    }
  } finally {
    holder.kill('SIGTERM');
    await holder.stop(5_000);
  }
}

if (process.argv[1]?.endsWith('state-transfer.ts')) {
  const at = process.argv.indexOf('--mib');
  const mib = at < 0 ? 1024 : Number(process.argv[at + 1]);
  measureStateTransfer(mib * 1024 * 1024).then(
    (figures) => console.log(JSON.stringify(figures)),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
