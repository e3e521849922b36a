import {
  CATALOG_RECORD,
  decodeCatalog,
  encodeCatalog,
  SNAPSHOT_RECORD_KIND_HEADER,
  type PmuCatalog,
} from '@gridcloud/estimation';
import type { ProducerRecord } from '@gridcloud/kafka';
import { Partitioners, type IHeaders, type PartitionMetadata } from 'kafkajs';
import { encodePartialSnapshot, PartialSnapshot } from '../shards/partial-snapshot';
import type { Snapshot } from '../sinks/snapshot-sink';

/** The header naming the regional PDC a record comes from. */
export const REGION_HEADER = 'gridcloud-region';
/** `gridcloud-record` value of a region's partial snapshot (PartialSnapshot columns). */
export const REGION_SNAPSHOT_RECORD = 'region-snapshot';
/** A region name: what a peer may put in the header, bounded. */
export const REGION_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** A partial snapshot's bytes at most (a region of 65,536 PMUs with 16 phasors each is about 20 MiB). */
export const MAX_REGION_RECORD_BYTES = 64 * 1024 * 1024;

export type RegionRecordReason = 'no-region' | 'unknown-kind' | 'malformed-snapshot' | 'malformed-catalog';

export type DecodedRegionRecord =
  | { readonly kind: 'snapshot'; readonly region: string; readonly partial: PartialSnapshot }
  | { readonly kind: 'catalog'; readonly region: string; readonly catalog: PmuCatalog }
  | { readonly kind: 'refused'; readonly reason: RegionRecordReason; readonly message: string };

/**
 * A region's aligned snapshot as one record: its columns (the shards' PartialSnapshot layout), keyed by slot so
 * every region's part of one slot lands in the same partition and one merger of a consumer group sees them all.
 */
export function regionSnapshotRecord(region: string, snapshot: Snapshot): ProducerRecord {
  return {
    key: String(snapshot.slot),
    value: Buffer.from(encodePartialSnapshot(snapshot)),
    headers: { [SNAPSHOT_RECORD_KIND_HEADER]: REGION_SNAPSHOT_RECORD, [REGION_HEADER]: region },
  };
}

const partitioner = Partitioners.DefaultPartitioner();
/** The metadata the partitioner reads for the last partition count asked (only its length matters for a keyed record). */
let cached: { readonly partitions: number; readonly metadata: PartitionMetadata[] } | undefined;

/**
 * The partition of `partitions` a region record of `slot` goes to: what the producer's default partitioner
 * (murmur2 of the key, as Java clients) picks for its key, so a merger knows which slots its partitions carry.
 */
export function partitionOfSlot(slot: number, partitions: number): number {
  if (cached?.partitions !== partitions) {
    const metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));
    cached = { partitions, metadata };
  }
  const message = { key: String(slot), value: null };
  return partitioner({ topic: '', partitionMetadata: cached.metadata, message });
}

/** A region's PMU catalog (libs/estimation's encodeCatalog), keyed by region. */
export function regionCatalogRecord(region: string, catalog: PmuCatalog): ProducerRecord {
  const bytes = encodeCatalog(catalog);
  return {
    key: region,
    value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    headers: { [SNAPSHOT_RECORD_KIND_HEADER]: CATALOG_RECORD, [REGION_HEADER]: region },
  };
}

/** Reads a record of the region topics; anything a peer could get wrong is a refusal with its reason, never a throw. */
export function decodeRegionRecord(headers: IHeaders | undefined, value: Buffer | null): DecodedRegionRecord {
  const region = headerText(headers?.[REGION_HEADER]);
  if (region === undefined || !REGION_NAME.test(region))
    return refused('no-region', `record has no valid ${REGION_HEADER} header (1-64 of A-Z a-z 0-9 . _ -)`);
  const kind = headerText(headers?.[SNAPSHOT_RECORD_KIND_HEADER]);
  if (kind === REGION_SNAPSHOT_RECORD) return snapshotOf(region, value);
  if (kind === CATALOG_RECORD) return catalogOf(region, value);
  return refused(
    'unknown-kind',
    `region ${region}: record kind ${String(kind)} is neither a snapshot nor a catalog`,
  );
}

function snapshotOf(region: string, value: Buffer | null): DecodedRegionRecord {
  const fail = (why: string) => refused('malformed-snapshot', `region ${region}: partial snapshot ${why}`);
  if (value === null || value.length < 96) return fail('is shorter than its 96-byte header');
  if (value.length > MAX_REGION_RECORD_BYTES)
    return fail(`has ${value.length} bytes, over ${MAX_REGION_RECORD_BYTES}`);
  if (value.length % 2 !== 0) return fail(`has an odd length (${value.length} bytes)`);
  // A copy into a buffer of its own: a Kafka value may sit at any offset of a pooled buffer, and the columns need alignment.
  const own = new ArrayBuffer(value.length);
  new Uint8Array(own).set(value);
  let partial: PartialSnapshot;
  try {
    partial = new PartialSnapshot(own);
  } catch (error) {
    return fail(`does not match its header (${(error as Error).message})`);
  }
  if (!Number.isSafeInteger(partial.slot) || !Number.isFinite(partial.timeSec) || partial.timeSec <= 0)
    return fail(`names slot ${partial.slot} at ${partial.timeSec} s, not a reporting instant`);
  if (partial.reason === undefined) return fail('names no release reason');
  if (!ascending(partial.idcodes)) return fail('lists its PMUs out of IDCODE order');
  return { kind: 'snapshot', region, partial };
}

function catalogOf(region: string, value: Buffer | null): DecodedRegionRecord {
  try {
    return { kind: 'catalog', region, catalog: decodeCatalog(value ?? new Uint8Array(0)) };
  } catch (error) {
    return refused('malformed-catalog', `region ${region}: ${(error as Error).message}`);
  }
}

function ascending(ids: Uint16Array): boolean {
  for (let i = 1; i < ids.length; i += 1) if (ids[i] <= ids[i - 1]) return false;
  return true;
}

function headerText(h: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (h === undefined || Array.isArray(h)) return undefined;
  return typeof h === 'string' ? h : h.toString('utf8');
}

function refused(reason: RegionRecordReason, message: string): DecodedRegionRecord {
  return { kind: 'refused', reason, message };
}
