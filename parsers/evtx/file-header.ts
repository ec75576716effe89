import { ByteReader, FormatError } from '../common/index.js';
import { crc32 } from './crc32.js';

/**
 * EVTX file header, libyal "Windows XML Event Log (EVTX)" §2.1 "File header".
 * The first 128 bytes of a 4096-byte block.
 */
export const FILE_HEADER = {
  size: 0x80,
  signature: 0x00, // 8  "ElfFile\0"
  firstChunkNumber: 0x08, // 8
  lastChunkNumber: 0x10, // 8
  nextRecordId: 0x18, // 8
  headerSize: 0x20, // 4  (128)
  minorVersion: 0x24, // 2  (1 or 2)
  majorVersion: 0x26, // 2  (3)
  headerBlockSize: 0x28, // 2  (4096)
  numberOfChunks: 0x2a, // 2
  // 0x2c: 76 bytes unknown (empty)
  fileFlags: 0x78, // 4
  checksum: 0x7c, // 4  CRC32 of bytes 0x00..0x77
} as const;

export const FILE_SIGNATURE = 'ElfFile\0';

/** File flags, libyal §2.1.1. */
export const FILE_FLAGS = { dirty: 0x1, full: 0x2 } as const;

export interface EvtxFileHeader {
  firstChunkNumber: bigint;
  lastChunkNumber: bigint;
  nextRecordId: bigint;
  headerSize: number;
  minorVersion: number;
  majorVersion: number;
  headerBlockSize: number;
  numberOfChunks: number;
  fileFlags: number;
  isDirty: boolean;
  isFull: boolean;
  checksum: number;
  /** CRC32 computed over bytes 0x00..0x77. */
  computedChecksum: number;
  hasValidChecksum: boolean;
}

/** Parses the file header. Throws `FormatError` (BAD_MAGIC / TRUNCATED). */
export function parseEvtxFileHeader(bytes: Uint8Array, baseOffset = 0): EvtxFileHeader {
  const r = new ByteReader(bytes, baseOffset, 'evtx');
  r.need(FILE_HEADER.size, 'fileHeader', 0);
  const sig = r.latin1(8, 'fileHeader.signature');
  if (sig !== FILE_SIGNATURE) {
    throw new FormatError({ code: 'BAD_MAGIC', format: 'evtx', offset: baseOffset, what: 'fileHeader.signature', message: `evtx: not an EVTX file (signature ${JSON.stringify(sig)})` });
  }
  const fileFlags = r.u32At(FILE_HEADER.fileFlags, 'fileHeader.fileFlags');
  const checksum = r.u32At(FILE_HEADER.checksum, 'fileHeader.checksum');
  const computedChecksum = crc32(bytes.subarray(0, 0x78));
  r.pos = FILE_HEADER.firstChunkNumber;
  return {
    firstChunkNumber: r.u64le('fileHeader.firstChunkNumber'),
    lastChunkNumber: r.u64le('fileHeader.lastChunkNumber'),
    nextRecordId: r.u64le('fileHeader.nextRecordId'),
    headerSize: r.u32le('fileHeader.headerSize'),
    minorVersion: r.u16le('fileHeader.minorVersion'),
    majorVersion: r.u16le('fileHeader.majorVersion'),
    headerBlockSize: r.u16le('fileHeader.headerBlockSize'),
    numberOfChunks: r.u16le('fileHeader.numberOfChunks'),
    fileFlags,
    isDirty: (fileFlags & FILE_FLAGS.dirty) !== 0,
    isFull: (fileFlags & FILE_FLAGS.full) !== 0,
    checksum,
    computedChecksum,
    hasValidChecksum: checksum === computedChecksum,
  };
}
