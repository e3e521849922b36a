import type { TemporalPoint } from '../protocol/records';
import { planCut } from '../protocol/temporal-cut';
import type { FileLog } from './file-log';
import { recordsOf, type FrameRecord } from './record-frame';

/** The records of one file as of `at` (all of it for null), oldest first, as the log stands when the read starts. */
export async function* readAsOf(log: FileLog, at: TemporalPoint | null): AsyncGenerator<FrameRecord> {
  const plan = at === null ? undefined : planCut(log.blocks, at);
  for await (const { frame } of log.framesOfBlocks(0, plan?.endBlock ?? log.blocks.length))
    for (const record of recordsOf(frame)) {
      if (plan === undefined) yield record;
      else if (plan.pastCut(record)) return;
      else if (plan.includes(record)) yield record;
    }
}
