/**
 * EVTX file assembly (libyal EVTX document §2 "File header"): a 4096-byte header block
 * followed by the chunks.
 *
 *   0x00 "ElfFile\0"   0x18 next record id   0x24 minor (1)   0x28 header block size (0x1000)
 *   0x08 first chunk   0x20 header size 0x80 0x26 major (3)   0x2A chunk count
 *   0x10 last chunk    0x78 flags (0 clean)  0x7C CRC32 of bytes 0x00..0x77
 */
import { ChunkBuilder, EVTX_CHUNK_SIZE_BYTES, type RecordInput } from './chunk.js';
import { crc32 } from './crc32.js';

export const EVTX_FILE_HEADER_BLOCK_BYTES = 0x1000;

export interface WriteOptions {
  /** Start a new chunk after this many records (to exercise multi-chunk files); default: when full. */
  maxRecordsPerChunk?: number;
}

/** Packs records into chunks and prepends the file header. */
export function assembleEvtx(records: RecordInput[], opts: WriteOptions = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  let cur = new ChunkBuilder();
  const max = opts.maxRecordsPerChunk ?? Number.POSITIVE_INFINITY;
  for (const rec of records) {
    if (cur.count >= max || !cur.tryAdd(rec)) {
      if (cur.count === 0) throw new Error(`record ${rec.recordId} does not fit in an empty chunk`);
      chunks.push(cur.finish());
      cur = new ChunkBuilder();
      if (!cur.tryAdd(rec)) throw new Error(`record ${rec.recordId} does not fit in an empty chunk`);
    }
  }
  if (cur.count > 0 || chunks.length === 0) chunks.push(cur.finish());
  if (chunks.length > 0xffff) throw new Error('too many chunks');

  const out = new Uint8Array(EVTX_FILE_HEADER_BLOCK_BYTES + chunks.length * EVTX_CHUNK_SIZE_BYTES);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode('ElfFile\0'), 0);
  const last = records.at(-1)?.recordId ?? 0n;
  dv.setBigUint64(0x08, 0n, true);
  dv.setBigUint64(0x10, BigInt(chunks.length - 1), true);
  dv.setBigUint64(0x18, last + 1n, true);
  dv.setUint32(0x20, 0x80, true);
  dv.setUint16(0x24, 1, true);
  dv.setUint16(0x26, 3, true);
  dv.setUint16(0x28, EVTX_FILE_HEADER_BLOCK_BYTES, true);
  dv.setUint16(0x2a, chunks.length, true);
  dv.setUint32(0x78, 0, true);
  dv.setUint32(0x7c, crc32(out.subarray(0, 0x78)), true);
  chunks.forEach((c, i) => out.set(c, EVTX_FILE_HEADER_BLOCK_BYTES + i * EVTX_CHUNK_SIZE_BYTES));
  return out;
}
