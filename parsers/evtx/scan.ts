import type { ByteReader, ByteSource } from '../common/index.js';
import type { EventJson } from '../common/event.js';
import { RawReader, type RawInstance } from './binxml/raw-instance.js';
import { recordMayHold } from './binxml/needle-probe.js';
import { readRecordHead } from './binxml/record-head.js';
import { recordBuilder, toNumberId, walkChunk, type ChunkParseOptions, type EvtxChunkResultOf, type RecordBuilder } from './chunk.js';
import type { ChunkContext } from './binxml/parse.js';
import { readRecordsWith } from './reader.js';
import { RECORD_HEADER, parseEvtxRecordHeader } from './record-header.js';
import type { ChunkOutcome, EvtxReadOptions } from './record.js';

/**
 * A scan of event records that builds the whole event only where the caller wants it:
 * every record gives its head (`Event.System`, read from the template instance without
 * rendering the body, binxml/record-head.ts); `want(head, holds)` decides whether the full
 * event is built, and may ask `holds(needles)` whether some value of the event may hold one
 * of those texts (binxml/needle-probe.ts; undefined when the record's templates cannot say).
 * Records the fast read cannot take are read whole, whatever `want` says, so every record
 * succeeds or fails exactly as in readEvtxRecords.
 */

/** Whether some value of the record may hold one of `needles` (lower-case ASCII); undefined: unknown. */
export type NeedleProbe = (needles: readonly string[]) => boolean | undefined;

/** Decides from a record's head (and, if it asks, its values) whether to build it whole. */
export type ScanWant = (head: EventJson, holds: NeedleProbe) => boolean;

/** One record of a scan. */
export interface EvtxScanRecord {
  /** EventRecordID (record header). */
  recordId: number;
  /** Record header FILETIME, ISO-8601 UTC, 7 fractional digits. */
  timestamp: string;
  chunkIndex: number;
  /** Absolute file offset of the record. */
  offset: number;
  /** Found in chunk slack after the last valid record. */
  recovered: boolean;
  /**
   * `{ Event: { System } }`, System exactly as in the full event; the full event itself
   * when `event` is set.
   */
  head: EventJson;
  /** The full event (evtx_dump's object), when `want(head)` said so or the record was read whole. */
  event?: EventJson;
}

export interface EvtxScanOptions extends EvtxReadOptions {
  /** Whether the full event of a record with this head is needed. */
  want: ScanWant;
}

export type ScanOutcome = ChunkOutcome<EvtxScanRecord>;

function scanBuilder(ctx: ChunkContext, opts: ChunkParseOptions, want: ScanWant): RecordBuilder<EvtxScanRecord> {
  const full = recordBuilder(ctx, opts);
  const raw = new RawReader();
  let bound = false;
  // The record being read and its reader: `holds` reads them when `want` asks.
  let inst: RawInstance | undefined;
  let reader: ByteReader | undefined;
  const holds: NeedleProbe = (needles) => {
    try {
      return inst && reader && recordMayHold(inst, reader, opts.ansi, needles);
    } catch {
      return undefined; // a value the decoder rejects: the full read reports it
    }
  };
  return (r, off, size, recovered) => {
    let head: EventJson | undefined;
    inst = undefined;
    reader = r;
    try {
      ctx.tokens = 0;
      if (!bound) {
        raw.bind(ctx, r.fork(0));
        bound = true;
      }
      inst = raw.readRecord(off + RECORD_HEADER.size, off + size - 4);
      if (inst !== undefined) head = readRecordHead(inst, r, opts.ansi, r.baseOffset + off);
    } catch (e) {
      // A slack candidate that failed on a name or template this chunk already knows to be
      // unreadable fails the full read too (it reads the same tokens up to the same offset):
      // slack failures are silent, so the full read would only throw the same error again.
      if (recovered && isKnownBad(ctx, e)) throw e;
      // The full read below reads the record again and reports what is wrong with it.
      head = undefined;
    }
    if (head !== undefined && !want(head, holds)) {
      const h = parseEvtxRecordHeader(r, off, off + size);
      return { recordId: toNumberId(h.recordId), timestamp: h.timestamp, chunkIndex: opts.chunkIndex, offset: opts.fileOffset + off, recovered, head };
    }
    const rec = full(r, off, size, recovered);
    return { recordId: rec.recordId, timestamp: rec.timestamp, chunkIndex: rec.chunkIndex, offset: rec.offset, recovered, head: rec.event, event: rec.event };
  };
}

function isKnownBad(ctx: ChunkContext, e: unknown): boolean {
  for (const bad of ctx.bad.values()) if (bad === e) return true;
  return false;
}

/** parseEvtxChunk for a scan: one EvtxScanRecord (or failure) per record. */
export function parseEvtxChunkScan(bytes: Uint8Array, opts: ChunkParseOptions, want: ScanWant): EvtxChunkResultOf<EvtxScanRecord> {
  return walkChunk(bytes, opts, (ctx) => scanBuilder(ctx, opts, want));
}

/**
 * readEvtxRecords for a scan: one outcome per record, in file order, the same records and
 * failures; the full event only where `opts.want` asks for it. Reads the source forward only.
 */
export function scanEvtxRecords(source: ByteSource, opts: EvtxScanOptions): AsyncGenerator<ScanOutcome> {
  return readRecordsWith(source, opts, (bytes, o) => parseEvtxChunkScan(bytes, o, opts.want));
}
