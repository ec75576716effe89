import type { ByteReader } from '../common/index.js';
import { FormatError } from '../common/index.js';
import { filetimeHalvesToIso } from './binxml/values.js';
import { EVTX_MIN_RECORD_BYTES } from './limits.js';

/** Event record header, libyal EVTX §3.2 "Event record" (24 bytes, then BinXML, then size copy). */
export const RECORD_HEADER = {
  size: 0x18,
  signature: 0x00, // 4  "\x2a\x2a\x00\x00"
  recordSize: 0x04, // 4  (includes header and trailing size copy)
  recordId: 0x08, // 8
  writtenTime: 0x10, // 8  FILETIME
  // 0x18: BinXML event data; last 4 bytes: copy of the size
} as const;

export const RECORD_SIGNATURE = 0x00002a2a;

export interface EvtxRecordHeader {
  size: number;
  recordId: bigint;
  writtenTime: bigint;
  /** ISO-8601 UTC, 7 fractional digits ('' if out of range). */
  timestamp: string;
}

/** True when `off` holds a record signature and a size whose trailing copy matches. */
export function isPlausibleRecord(r: ByteReader, off: number, limit: number): boolean {
  if (off + EVTX_MIN_RECORD_BYTES > limit) return false;
  if (r.u32At(off, 'record.signature') !== RECORD_SIGNATURE) return false;
  const size = r.u32At(off + 4, 'record.size');
  if (size < EVTX_MIN_RECORD_BYTES || off + size > limit) return false;
  return r.u32At(off + size - 4, 'record.sizeCopy') === size;
}

/**
 * Checks the record header at chunk-relative `off` (signature, size within `limit`, size
 * copy) and returns the record size; throws FormatError.
 */
export function recordSizeAt(r: ByteReader, off: number, limit: number): number {
  r.need(RECORD_HEADER.size, 'record.header', off);
  const sig = r.u32At(off, 'record.signature');
  if (sig !== RECORD_SIGNATURE) {
    throw new FormatError({ code: 'BAD_MAGIC', format: 'evtx', offset: r.baseOffset + off, what: 'record.signature' });
  }
  const size = r.u32At(off + 4, 'record.size');
  if (size < EVTX_MIN_RECORD_BYTES || off + size > limit) {
    throw new FormatError({
      code: 'INVALID',
      format: 'evtx',
      offset: r.baseOffset + off + 4,
      what: 'record.size',
      message: `evtx: record size ${size} at offset ${r.baseOffset + off} does not fit the chunk`,
    });
  }
  const copy = r.u32At(off + size - 4, 'record.sizeCopy');
  if (copy !== size) {
    throw new FormatError({
      code: 'INVALID',
      format: 'evtx',
      offset: r.baseOffset + off + size - 4,
      what: 'record.sizeCopy',
      message: `evtx: record size copy ${copy} differs from size ${size} at offset ${r.baseOffset + off}`,
    });
  }
  return size;
}

/** Parses a record header at chunk-relative `off`; `limit` bounds the record. */
export function parseEvtxRecordHeader(r: ByteReader, off: number, limit: number): EvtxRecordHeader {
  const size = recordSizeAt(r, off, limit);
  const recordId = r.u64At(off + 8, 'record.recordId');
  const writtenTime = r.u64At(off + 16, 'record.writtenTime');
  // Same text as filetimeToIso(writtenTime), without BigInt arithmetic (hot path).
  const timestamp = filetimeHalvesToIso(r.u32At(off + 16, 'record.writtenTime'), r.u32At(off + 20, 'record.writtenTime')) ?? '';
  return { size, recordId, writtenTime, timestamp };
}
