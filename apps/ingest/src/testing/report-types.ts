/** The shapes of the ingest's JSON output that tests and benchmarks read. */
export interface SnapshotPmuLine {
  readonly idcode: number;
  readonly stream: number;
  readonly stat: number;
  readonly timeQuality: number;
  readonly freqHz: number;
  readonly rocofHzPerS: number;
  readonly phasors: number[];
  /** Present only for PMUs that have analog channels or digital words. */
  readonly analogs?: number[];
  readonly digitals?: number[];
  readonly arrivalMs: number;
}

export interface SnapshotLine {
  readonly event: 'snapshot';
  readonly timeSec: number;
  readonly slot: number;
  readonly complete: boolean;
  readonly reason: string;
  readonly missing: number[];
  readonly pmus: SnapshotPmuLine[];
}

export interface LateLine {
  readonly event: 'late';
  readonly slot: number;
  readonly ageMs: number;
  readonly idcode: number;
}

export interface SourceReport {
  readonly source: string;
  readonly state: string;
  readonly connects: number;
  readonly disconnects: number;
  readonly configs: number;
  readonly dataFrames: number;
  readonly rejects: Record<string, number>;
  /** UDP senders: CFG-2 requests sent back, and times the sender went silent. */
  readonly configRequests: number;
  readonly silences: number;
  readonly recentErrors: string[];
}

export interface PmuQualityLine {
  readonly pmuId: number;
  readonly frames: number;
  readonly missing: number;
  readonly late: number;
  readonly dataErrors: number;
  readonly syncLost: number;
  readonly worstTimeQualityCode: number;
}

/** The final {"event":"stopped",...} line. */
export interface IngestReport {
  readonly expectedPmus: number;
  readonly aligner: { readonly framesLate: number; readonly snapshots: number };
  readonly sources: SourceReport[];
  readonly quality: { readonly pmus: PmuQualityLine[]; readonly unattributedRejects: Record<string, number> };
}
