import { crc32 } from 'node:zlib';

/**
 * Zips built by hand for tests, with exactly the names, sizes and records given, including
 * hostile ones (`../x`, declared sizes that lie): archiver normalises names and checks sizes.
 * APPNOTE.TXT 4.3.7 local header, 4.3.12 central directory, 4.5.3 zip64 extra field, 4.3.14
 * zip64 end record, 4.3.15 its locator, 4.3.16 end record.
 */

/** One entry's facts as its headers state them. */
export interface ZipRecord {
  name: Buffer;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  /** Sizes as declared (0xffffffff when the zip64 extra field holds them). */
  compressed: number;
  size: number;
  /** Local header offset as declared (0xffffffff when the zip64 extra field holds it). */
  offset: number;
  /** 20, or 45 for zip64. */
  version: number;
}

export function localHeader(r: ZipRecord, extraLength = 0): Buffer {
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(r.version, 4);
  lh.writeUInt16LE(0x800, 6); // UTF-8 names
  lh.writeUInt16LE(r.method, 8);
  lh.writeUInt32LE(r.crc, 14);
  lh.writeUInt32LE(r.compressed, 18);
  lh.writeUInt32LE(r.size, 22);
  lh.writeUInt16LE(r.name.length, 26);
  lh.writeUInt16LE(extraLength, 28);
  return lh;
}

export function centralHeader(r: ZipRecord, extraLength = 0): Buffer {
  const ch = Buffer.alloc(46);
  ch.writeUInt32LE(0x02014b50, 0);
  ch.writeUInt16LE(r.version, 4);
  ch.writeUInt16LE(r.version, 6);
  ch.writeUInt16LE(0x800, 8);
  ch.writeUInt16LE(r.method, 10);
  ch.writeUInt32LE(r.crc, 16);
  ch.writeUInt32LE(r.compressed, 20);
  ch.writeUInt32LE(r.size, 24);
  ch.writeUInt16LE(r.name.length, 28);
  ch.writeUInt16LE(extraLength, 30);
  ch.writeUInt32LE(r.offset, 42);
  return ch;
}

/**
 * The records after the central directory of `count` entries, `cdLength` bytes at `cdOffset`:
 * the zip64 end record and its locator first when `zip64` (then the end record says "see zip64").
 */
export function endRecords(count: number, cdLength: number, cdOffset: number, zip64: boolean): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : cdLength, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : cdOffset, 16);
  if (!zip64) return end;
  const z64 = Buffer.alloc(56);
  z64.writeUInt32LE(0x06064b50, 0);
  z64.writeBigUInt64LE(44n, 4);
  z64.writeUInt16LE(45, 12);
  z64.writeUInt16LE(45, 14);
  z64.writeBigUInt64LE(BigInt(count), 24);
  z64.writeBigUInt64LE(BigInt(count), 32);
  z64.writeBigUInt64LE(BigInt(cdLength), 40);
  z64.writeBigUInt64LE(BigInt(cdOffset), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(cdOffset + cdLength), 8);
  loc.writeUInt32LE(1, 16);
  return Buffer.concat([z64, loc, end]);
}

/** An entry as it is written: `stored` bytes (deflated when `deflated`) whose headers declare `size` and `crc`. */
export interface CraftedEntry {
  name: string;
  stored: Buffer;
  deflated: boolean;
  size: number;
  crc: number;
}

/** A zip of the entries as given: declared sizes are not checked; more than 65,534 entries get the zip64 end records. */
export function craftRawZip(entries: readonly CraftedEntry[]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const r: ZipRecord = { name: Buffer.from(e.name, 'utf8'), method: e.deflated ? 8 : 0, crc: e.crc, compressed: e.stored.length, size: e.size, offset, version: 20 };
    const lh = localHeader(r);
    out.push(lh, r.name, e.stored);
    central.push(centralHeader(r), r.name);
    offset += lh.length + r.name.length + e.stored.length;
  }
  const cd = Buffer.concat(central);
  return Buffer.concat([...out, cd, endRecords(entries.length, cd.length, offset, entries.length >= 0xffff)]);
}

/** A stored entry of `data` with its true size and CRC. */
export function storedEntry(name: string, data: Uint8Array | string): CraftedEntry {
  const stored = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return { name, stored, deflated: false, size: stored.length, crc: crc32(stored) >>> 0 };
}

/** A stored (uncompressed) zip with the exact entry names given. */
export function craftZip(entries: { name: string; data: Uint8Array | string }[]): Buffer {
  return craftRawZip(entries.map((e) => storedEntry(e.name, e.data)));
}
