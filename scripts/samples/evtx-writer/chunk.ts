/**
 * EVTX chunk builder (libyal EVTX document §3 "Chunk"): 0x200-byte header with the string
 * and template hash tables, then event records packed up to 64 KiB.
 *
 *   0x000 "ElfChnk\0"            0x028 header size (0x80)      0x078 flags
 *   0x008 first record number    0x02C last record offset      0x07C header CRC32
 *   0x010 last record number     0x030 free space offset       0x080 64 string bucket offsets
 *   0x018 first record id        0x034 records CRC32           0x180 32 template bucket offsets
 *   0x020 last record id                                       0x200 records
 */
import { BinXmlWriter, cloneTables, newTables, type ChunkTables, type Instance } from './binxml.js';
import { crc32 } from './crc32.js';
import { ChunkFullError, Sink } from './sink.js';
import { isoToFiletime } from './values.js';

export const EVTX_CHUNK_SIZE_BYTES = 0x10000;
export const CHUNK_HEADER_SIZE_BYTES = 0x200;
const RECORD_HEADER_SIZE_BYTES = 24;

/** One event record ready to serialise: its id, written time and root template instance. */
export interface RecordInput { recordId: bigint; writtenIso: string; root: Instance }

export class ChunkBuilder {
  readonly buf = new Uint8Array(EVTX_CHUNK_SIZE_BYTES);
  private tables: ChunkTables = newTables();
  private free = CHUNK_HEADER_SIZE_BYTES;
  private lastRecordOffset = 0;
  private firstId: bigint | undefined;
  private lastId = 0n;
  count = 0;

  /** Appends a record; returns false (chunk untouched) when it does not fit. */
  tryAdd(rec: RecordInput): boolean {
    const saved = cloneTables(this.tables);
    const start = this.free;
    const s = new Sink(this.buf, start, EVTX_CHUNK_SIZE_BYTES);
    try {
      s.bytes(new Uint8Array([0x2a, 0x2a, 0, 0]));
      s.u32(0);
      s.u64(rec.recordId);
      s.u64(isoToFiletime(rec.writtenIso));
      new BinXmlWriter(s, this.tables).fragment(rec.root);
      // Records end on an 8-byte boundary, the size repeated in the last 4 bytes.
      while ((s.pos + 4 - start) % 8 !== 0) s.u8(0);
      s.u32(0);
    } catch (e) {
      if (!(e instanceof ChunkFullError)) throw e;
      this.buf.fill(0, start);
      this.tables = saved;
      return false;
    }
    const size = s.pos - start;
    s.patchU32(start + 4, size);
    s.patchU32(s.pos - 4, size);
    if (size < RECORD_HEADER_SIZE_BYTES) throw new Error('impossible record size');
    this.firstId ??= rec.recordId;
    this.lastId = rec.recordId;
    this.lastRecordOffset = start;
    this.free = s.pos;
    this.count++;
    return true;
  }

  /** Writes the header fields and both checksums; returns the finished 64 KiB chunk. */
  finish(): Uint8Array {
    const dv = new DataView(this.buf.buffer);
    this.buf.set(new TextEncoder().encode('ElfChnk\0'), 0);
    const first = this.firstId ?? 0n;
    dv.setBigUint64(0x08, first, true);
    dv.setBigUint64(0x10, this.lastId, true);
    dv.setBigUint64(0x18, first, true);
    dv.setBigUint64(0x20, this.lastId, true);
    dv.setUint32(0x28, 0x80, true);
    dv.setUint32(0x2c, this.lastRecordOffset, true);
    dv.setUint32(0x30, this.free, true);
    dv.setUint32(0x34, crc32(this.buf.subarray(CHUNK_HEADER_SIZE_BYTES, this.free)), true);
    dv.setUint32(0x78, 1, true); // flags: 1 as in chunks Windows has closed (seen in real logs)
    this.tables.nameBuckets.forEach((o, i) => dv.setUint32(0x80 + 4 * i, o, true));
    this.tables.templateBuckets.forEach((o, i) => dv.setUint32(0x180 + 4 * i, o, true));
    const headerCrc = crc32(this.buf.subarray(0x80, CHUNK_HEADER_SIZE_BYTES), crc32(this.buf.subarray(0, 0x78)));
    dv.setUint32(0x7c, headerCrc, true);
    return this.buf;
  }
}
