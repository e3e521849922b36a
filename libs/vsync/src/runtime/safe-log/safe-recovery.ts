import { mergeSafeLogs, processKey, type SafeLogEntry } from '../../protocol';
import type { Delivery } from '../group-endpoint';
import { askGroup } from '../query-call';
import type { VsyncProcess } from '../vsync-process';
import { SafeRecoveryError } from './safe-recovery-error';
import { decodeLog, encodeLogRecord } from './safe-log-format';

/** Handler id of the recovery's log reads, reserved in every group (next to state transfer and GroupClient). */
export const SAFE_RECOVERY_HANDLER_ID = 0xffff_fffd;
/** Log bytes one member sends per recovery answer; larger logs are read in pages. */
export const SAFE_RECOVERY_PAGE_BYTES = 1024 * 1024;
/** Safe deliveries held back while the recovered history is replayed; one more fails the recovery. */
export const MAX_HELD_SAFE_DELIVERIES = 65_536;

export interface SafeRecoveryOptions {
  /** Members the group must have before the logs are read: every member of the group that crashed as a whole. */
  readonly members: number;
  /** How long to wait for them and for each page of answers. */
  readonly timeoutMs?: number;
}

interface Sink {
  deliverNow(delivery: Delivery): void;
  memberCount(): number;
  fail(error: Error): void;
}

/**
 * Recovery of a group's safeSends after the whole group crashed and restarted from its logs. Once `members` members
 * are in the view, this member reads every member's log as it was at start (an orderedQuery to all, page by page),
 * merges them (protocol mergeSafeLogs: the union, keeping every log's order) and replays the result through the
 * group's handlers, before any safe record delivered since the join, which waits meanwhile. Every member reads the
 * same logs, so every member replays the same history.
 */
export class SafeRecovery {
  private held: Delivery[] | undefined = [];
  private replayed = 0;
  private pages: SafeLogEntry[][] | undefined;

  constructor(
    private readonly group: string,
    private readonly process: VsyncProcess,
    private readonly options: SafeRecoveryOptions,
    private readonly sink: Sink,
  ) {}

  get recoveredCount(): number {
    return this.replayed;
  }

  /** Holds a safe delivery back while the history is being replayed; false once recovery is over. Past the bound
   *  the recovery is reported failed and what it held goes to the handlers at once (order against the history lost). */
  hold(delivery: Delivery): boolean {
    if (this.held === undefined || delivery.ordering !== 'safe') return false;
    if (this.held.length < MAX_HELD_SAFE_DELIVERIES) {
      this.held.push(delivery);
      return true;
    }
    this.sink.fail(
      new SafeRecoveryError(`more than ${MAX_HELD_SAFE_DELIVERIES} safe deliveries arrived during recovery`),
    );
    this.release();
    return false;
  }

  /** Page `index` of this member's log as it was at open (pages of about SAFE_RECOVERY_PAGE_BYTES, whole records). */
  page(index: number): LogPage {
    this.pages ??= paginate(this.process.safeLog(this.group)?.recovered ?? []);
    const records = Buffer.concat((this.pages[index] ?? []).map(encodeLogRecord));
    return { member: processKey(this.process.self), records, pages: this.pages.length };
  }

  async run(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    await this.waitForMembers(timeoutMs);
    const logs = await this.readLogs(timeoutMs);
    const history = mergeSafeLogs(logs);
    for (const e of history) this.replay(e);
    this.replayed = history.length;
    this.release();
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const d of held) this.sink.deliverNow(d);
  }

  private replay(e: SafeLogEntry): void {
    const payload = this.process.openPayload(this.group, e.sender, e.payload);
    if (payload === undefined)
      return this.sink.fail(
        new SafeRecoveryError(`a logged record of ${e.sender.address} is not sealed with the group's key`),
      );
    this.sink.deliverNow({
      group: this.group,
      viewId: 0,
      sender: e.sender,
      ordering: 'safe',
      payload,
      queryId: 0,
    });
  }

  private async waitForMembers(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sink.memberCount() < this.options.members) {
      if (Date.now() > deadline)
        throw new SafeRecoveryError(
          `the group had ${this.sink.memberCount()} of ${this.options.members} members after ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Every member's log, page by page, by member. */
  private async readLogs(timeoutMs: number): Promise<SafeLogEntry[][]> {
    const logs = new Map<string, SafeLogEntry[]>();
    let pages = 1;
    for (let index = 0; index < pages; index++) {
      const answers = await askGroup<LogPage>(
        this.process,
        this.group,
        { ordering: 'total' },
        'all',
        SAFE_RECOVERY_HANDLER_ID,
        [index, { timeoutMs, onTimeout: 'abort' }],
      );
      for (const a of answers) {
        const decoded = decodeLog(a.records);
        if (decoded.droppedBytes > 0)
          throw new SafeRecoveryError(`page ${index} of ${a.member}'s log is damaged`);
        logs.set(a.member, [...(logs.get(a.member) ?? []), ...decoded.entries]);
        pages = Math.max(pages, a.pages);
      }
    }
    return [...logs.values()];
  }
}

/** What one member answers for one page of its log. */
interface LogPage {
  readonly member: string;
  readonly records: Uint8Array;
  readonly pages: number;
}

function paginate(entries: readonly SafeLogEntry[]): SafeLogEntry[][] {
  const pages: SafeLogEntry[][] = [];
  let bytes = Infinity;
  for (const e of entries) {
    if (bytes >= SAFE_RECOVERY_PAGE_BYTES) {
      pages.push([]);
      bytes = 0;
    }
    pages[pages.length - 1].push(e);
    bytes += e.payload.length + e.sender.address.length + 64;
  }
  return pages;
}
