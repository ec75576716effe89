import { ByteReader, FormatError } from '../common/index.js';
import { crc32 } from './crc32.js';
import { EVTX_CHUNK_HEADER_BYTES } from './limits.js';

/**
 * EVTX chunk header, libyal "Windows XML Event Log (EVTX)" §3.1 "Chunk header" (512 bytes).
 */
export const CHUNK_HEADER = {
  size: EVTX_CHUNK_HEADER_BYTES,
  signature: 0x00, // 8  "ElfChnk\0"
  firstEventRecordNumber: 0x08, // 8
  lastEventRecordNumber: 0x10, // 8
  firstEventRecordId: 0x18, // 8
  lastEventRecordId: 0x20, // 8
  headerSize: 0x28, // 4  (128)
  lastEventRecordOffset: 0x2c, // 4
  freeSpaceOffset: 0x30, // 4
  eventRecordsChecksum: 0x34, // 4  CRC32 of 0x200..freeSpaceOffset
  // 0x38: 64 bytes unknown, 0x78: 4 bytes unknown flags
  flags: 0x78, // 4
  headerChecksum: 0x7c, // 4  CRC32 of 0x00..0x77 and 0x80..0x1ff
  commonStringOffsets: 0x80, // 64 × 4
  templatePointers: 0x180, // 32 × 4
} as const;

export const CHUNK_SIGNATURE = 'ElfChnk\0';

export interface EvtxChunkHeader {
  firstEventRecordNumber: bigint;
  lastEventRecordNumber: bigint;
  firstEventRecordId: bigint;
  lastEventRecordId: bigint;
  headerSize: number;
  lastEventRecordOffset: number;
  freeSpaceOffset: number;
  eventRecordsChecksum: number;
  flags: number;
  headerChecksum: number;
  computedHeaderChecksum: number;
  hasValidHeaderChecksum: boolean;
  /** CRC32 of 0x200..freeSpaceOffset; undefined when freeSpaceOffset is out of range. */
  computedEventRecordsChecksum: number | undefined;
  hasValidEventRecordsChecksum: boolean;
}

/** True when the bytes start with the chunk signature. */
export function hasChunkSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x45 && bytes[1] === 0x6c && bytes[2] === 0x66 && bytes[3] === 0x43 && bytes[4] === 0x68 && bytes[5] === 0x6e && bytes[6] === 0x6b && bytes[7] === 0x00;
}

/** A CRC-32 function (crc32.ts's signature: data, previous CRC). */
export type Crc32Fn = (bytes: Uint8Array, crc?: number) => number;

/**
 * Parses a chunk header from the start of `bytes` (the chunk). Throws `FormatError`. `crc`
 * computes the checksums (default: crc32.ts; the CLI passes Node's native zlib.crc32).
 */
export function parseEvtxChunkHeader(bytes: Uint8Array, baseOffset = 0, crc: Crc32Fn = crc32): EvtxChunkHeader {
  const r = new ByteReader(bytes, baseOffset, 'evtx');
  r.need(CHUNK_HEADER.size, 'chunkHeader', 0);
  if (!hasChunkSignature(bytes)) {
    throw new FormatError({ code: 'BAD_MAGIC', format: 'evtx', offset: baseOffset, what: 'chunkHeader.signature' });
  }
  r.pos = CHUNK_HEADER.firstEventRecordNumber;
  const firstEventRecordNumber = r.u64le('chunk.firstEventRecordNumber');
  const lastEventRecordNumber = r.u64le('chunk.lastEventRecordNumber');
  const firstEventRecordId = r.u64le('chunk.firstEventRecordId');
  const lastEventRecordId = r.u64le('chunk.lastEventRecordId');
  const headerSize = r.u32le('chunk.headerSize');
  const lastEventRecordOffset = r.u32le('chunk.lastEventRecordOffset');
  const freeSpaceOffset = r.u32le('chunk.freeSpaceOffset');
  const eventRecordsChecksum = r.u32le('chunk.eventRecordsChecksum');
  const flags = r.u32At(CHUNK_HEADER.flags, 'chunk.flags');
  const headerChecksum = r.u32At(CHUNK_HEADER.headerChecksum, 'chunk.headerChecksum');
  const computedHeaderChecksum = crc(bytes.subarray(0x80, 0x200), crc(bytes.subarray(0, 0x78)));
  const computedEventRecordsChecksum = freeSpaceOffset >= CHUNK_HEADER.size && freeSpaceOffset <= bytes.length ? crc(bytes.subarray(CHUNK_HEADER.size, freeSpaceOffset)) : undefined;
  return {
    firstEventRecordNumber,
    lastEventRecordNumber,
    firstEventRecordId,
    lastEventRecordId,
    headerSize,
    lastEventRecordOffset,
    freeSpaceOffset,
    eventRecordsChecksum,
    flags,
    headerChecksum,
    computedHeaderChecksum,
    hasValidHeaderChecksum: headerChecksum === computedHeaderChecksum,
    computedEventRecordsChecksum,
    hasValidEventRecordsChecksum: computedEventRecordsChecksum === eventRecordsChecksum,
  };
}
