import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { constants as Z, crc32, createDeflateRaw } from 'node:zlib';
import { centralHeader, endRecords, localHeader, type ZipRecord } from './zip-craft.js';

/**
 * Writes a zip64 archive (APPNOTE.TXT 4.3.7 local header, 4.3.12 central directory,
 * 4.5.3 zip64 extra field, 4.3.14 zip64 end record, 4.3.15 its locator, 4.3.16 end record)
 * to `path`, each entry stored as `data` followed by `zeros` zero bytes (with `marks` over
 * them), or given deflated. The zeros are never
 * written: they are a hole of a sparse file, so an entry of 3 GiB or 5 GiB costs no disk and
 * no time to build. Every size and offset goes through the zip64 extra field.
 */
export interface SparseEntry {
  name: string;
  data?: Uint8Array;
  zeros?: number;
  /** Bytes written over the zeros at these offsets of the entry (its CRC counts them). */
  marks?: { at: number; bytes: Uint8Array }[];
  /** Already deflated content (method 8) of `size` bytes with this CRC, instead of data and zeros. */
  deflated?: { bytes: Uint8Array; size: number; crc: number };
}

const MIB = 1024 * 1024;
const ZERO_MIB = Buffer.alloc(MIB);

/** CRC-32 continued over `n` zero bytes. */
function crcZeros(crc: number, n: number): number {
  let left = n;
  while (left > 0) {
    const k = Math.min(left, MIB);
    crc = crc32(k === MIB ? ZERO_MIB : ZERO_MIB.subarray(0, k), crc);
    left -= k;
  }
  return crc;
}

/** CRC-32 of `data`, then zeros with the marks over them, `size` bytes in all. */
function crcOf(data: Uint8Array, size: number, marks: readonly { at: number; bytes: Uint8Array }[]): number {
  let crc = crc32(data);
  let at = data.length;
  for (const m of [...marks].sort((a, b) => a.at - b.at)) {
    crc = crcZeros(crc, m.at - at);
    crc = crc32(m.bytes, crc);
    at = m.at + m.bytes.length;
  }
  return crcZeros(crc, size - at) >>> 0;
}

function zip64Extra(size: number, compressed: number, offset: number): Buffer {
  const x = Buffer.alloc(28);
  x.writeUInt16LE(0x0001, 0);
  x.writeUInt16LE(24, 2);
  x.writeBigUInt64LE(BigInt(size), 4);
  x.writeBigUInt64LE(BigInt(compressed), 12);
  x.writeBigUInt64LE(BigInt(offset), 20);
  return x;
}

/** Writes the archive; returns the offset of each entry's local header. */
export function writeSparseZip64(path: string, entries: readonly SparseEntry[]): number[] {
  const fd = openSync(path, 'w');
  const offsets: number[] = [];
  try {
    const central: Buffer[] = [];
    let at = 0;
    const put = (b: Uint8Array): void => {
      writeSync(fd, b, 0, b.length, at);
      at += b.length;
    };
    for (const e of entries) {
      const name = Buffer.from(e.name, 'utf8');
      const data = e.deflated?.bytes ?? e.data ?? new Uint8Array();
      const size = e.deflated?.size ?? data.length + (e.zeros ?? 0);
      const stored = e.deflated ? data.length : size;
      const crc = e.deflated?.crc ?? crcOf(data, size, e.marks ?? []);
      const extra = zip64Extra(size, stored, at);
      const r: ZipRecord = { name, method: e.deflated ? 8 : 0, crc, compressed: 0xffffffff, size: 0xffffffff, offset: 0xffffffff, version: 45 };
      const lh = localHeader(r, 20);
      const ch = centralHeader(r, extra.length);
      central.push(ch, name, extra);
      offsets.push(at);
      // The local extra field holds the two sizes only (APPNOTE 4.5.3).
      const localExtra = Buffer.from(extra.subarray(0, 20));
      localExtra.writeUInt16LE(16, 2);
      put(lh);
      put(name);
      put(localExtra);
      const dataAt = at;
      put(data);
      if (!e.deflated) {
        at = dataAt + size;
        for (const m of e.marks ?? []) writeSync(fd, m.bytes, 0, m.bytes.length, dataAt + m.at);
      }
    }
    const cdStart = at;
    const cd = Buffer.concat(central);
    put(cd);
    put(endRecords(entries.length, cd.length, cdStart, true));
    ftruncateSync(fd, at);
  } finally {
    closeSync(fd);
  }
  return offsets;
}

/**
 * Raw deflate of `mib` MiB of zeros without deflating them all: one MiB compressed after a
 * full flush (history reset, byte-aligned) gives the same bytes every time, so the stream is
 * that block repeated and the final empty block.
 */
export async function zerosDeflated(mib: number): Promise<{ stored: Buffer; crc: number }> {
  const d = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  d.on('data', (c: Buffer) => parts.push(c));
  const block = Buffer.alloc(MIB);
  d.write(block);
  await new Promise<void>((r) => d.flush(Z.Z_FULL_FLUSH, () => r()));
  const one = Buffer.concat(parts.splice(0));
  await new Promise<void>((r) => d.end(() => r()));
  const last = Buffer.concat(parts);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(block, crc);
  return { stored: Buffer.concat([...Array<Buffer>(mib).fill(one), last]), crc: crc >>> 0 };
}
