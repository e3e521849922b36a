import { COMMIT_HEADER_BYTES, commitEntryBytes, type CommitEntry } from '../protocol/append-commit';

/** How many appends, records and message bytes one group commit may hold. */
export interface CommitBounds {
  readonly maxCommitAppends: number;
  readonly maxCommitRecords: number;
  readonly maxCommitBytes: number;
  /** Commits out at once before a commit that is not full waits for one of them to complete. */
  readonly maxCommitsInFlight: number;
}

/** What an append gets back from its commit: every replica's answer, and its own place in the commit. */
export interface CommitOutcome {
  readonly replies: unknown[];
  readonly index: number;
}

interface Waiting {
  readonly entry: CommitEntry;
  readonly resolve: (outcome: CommitOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit at the replica that takes appends: the appends that arrive in one turn of the event loop (many
 * clients, many files) go out as one ordered multicast once the turn ends, or as soon as one more would pass a
 * bound. One round trip through the group and one fsync pass at each replica then serve all of them. While
 * maxCommitsInFlight commits are out, a commit that is not full keeps collecting until one of them completes: under
 * load, commits grow instead of multiplying. A commit always takes at least one append, so an append as large as
 * maxBatchBytes still goes (alone).
 */
export class AppendCommitter {
  private open: Waiting[] = [];
  private records = 0;
  private bytes = COMMIT_HEADER_BYTES;
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly bounds: CommitBounds,
    private readonly send: (entries: CommitEntry[]) => Promise<unknown[]>,
  ) {}

  /** Adds an append (already checked) to the open commit; resolves with the answers once the commit completed. */
  add(path: string, batch: Uint8Array, records: number): Promise<CommitOutcome> {
    const bytes = commitEntryBytes(path, batch);
    const b = this.bounds;
    if (
      this.open.length > 0 &&
      (this.records + records > b.maxCommitRecords || this.bytes + bytes > b.maxCommitBytes)
    )
      this.flush();
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.open.push({ entry: { path, batch }, resolve, reject });
      this.records += records;
      this.bytes += bytes;
      if (this.open.length >= b.maxCommitAppends) this.flush();
      else this.scheduleFlush();
    });
  }

  /** Appends waiting in the open commit (not sent yet). */
  get waiting(): number {
    return this.open.length;
  }

  private scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase: every request body read in this turn has joined the commit by then.
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight < this.bounds.maxCommitsInFlight) this.flush();
    });
  }

  private completed(): void {
    this.inFlight--;
    if (!this.scheduled && this.inFlight < this.bounds.maxCommitsInFlight) this.flush();
  }

  private flush(): void {
    const commit = this.open;
    if (commit.length === 0) return;
    this.open = [];
    this.records = 0;
    this.bytes = COMMIT_HEADER_BYTES;
    this.inFlight++;
    let sent: Promise<unknown[]>;
    try {
      sent = this.send(commit.map((w) => w.entry));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent
      .then(
        (replies) => commit.forEach((w, index) => w.resolve({ replies, index })),
        (error: unknown) => commit.forEach((w) => w.reject(error)),
      )
      .finally(() => this.completed());
  }
}
