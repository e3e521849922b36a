/**
 * The workload of the partition test: one member multicasting with orderedSend, paced, in batches, for as long as
 * the test runs. When a send fails (the member was cut off and excluded), the loop waits for the member's next view
 * and goes on as its new incarnation, numbering that incarnation's messages from 0 again.
 */
import type { MemberEvent, MemberProcess } from '../member-process';

export interface SenderLoopOptions {
  readonly group: string;
  /** Messages per send command. */
  readonly batchMessages: number;
  /** Pause between two messages of one member. */
  readonly intervalMs: number;
}

export class SenderLoop {
  /** Failed send commands, in order. */
  readonly failures: MemberEvent[] = [];
  private stopped = false;
  private stopSignal!: () => void;
  private readonly stopping = new Promise<void>((resolve) => (this.stopSignal = resolve));
  private running: Promise<void> | undefined;

  constructor(
    private readonly member: MemberProcess,
    private readonly options: SenderLoopOptions,
  ) {}

  start(): void {
    this.running = this.run().catch((error: Error) => {
      // Only a member that exited ends here; the test sees it exit.
      this.failures.push({ event: 'error', name: error.name, message: error.message });
    });
  }

  /** Ends the loop once the batch under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSignal();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped && !this.member.hasExited) {
      const self = this.selfId();
      const from = this.member.events.length;
      this.member.command({
        cmd: 'send',
        group: this.options.group,
        ordering: 'total',
        count: this.options.batchMessages,
        firstSeq: this.sentBy(self),
        intervalMs: this.options.intervalMs,
      });
      const end = await this.member.next(
        (e) =>
          (e.event === 'sendDone' && e.group === this.options.group) ||
          (e.event === 'error' && e.group === undefined),
        from,
      );
      if (end.event === 'error') {
        this.failures.push(end);
        await this.nextView(this.member.events.indexOf(end));
      }
    }
  }

  /** This member's identity in its latest view of the group. */
  private selfId(): string {
    const view = this.member.events.findLast((e) => e.event === 'view' && e.group === this.options.group);
    if (view === undefined) throw new Error(`${this.member.name} sends before it is in a view`);
    return (view.members as string[])[view.rank as number];
  }

  private sentBy(self: string): number {
    return this.member.events.filter((e) => e.event === 'sent' && e.sender === self).length;
  }

  private async nextView(after: number): Promise<void> {
    const installed = (): boolean =>
      this.member.events.findLastIndex((e) => e.event === 'view' && e.group === this.options.group) > after;
    // The member may never come back if the test ends first, so stopping also ends the wait.
    await Promise.race([this.member.until(installed).catch(() => undefined), this.stopping]);
  }
}
