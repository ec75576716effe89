/**
 * The plain (unencrypted) bundle zip, written as a stream. Each entry: a local header with a
 * data descriptor (sizes unknown until the bytes have passed), the deflated bytes (zlib on
 * libuv's pool, so the deflate runs beside the thread that reads and parses), then the CRC-32
 * (zlib's, native) and sizes. ZIP64 fields (APPNOTE 4.5.3) appear where a size, an offset or
 * the entry count does not fit the classic fields: a 3 GiB Security.evtx stays one entry.
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { constants as zc, crc32, createDeflateRaw } from 'node:zlib';

const SIG_LOCAL = 0x04034b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_EOCD = 0x06054b50;
/** Bit 3: sizes and CRC in a data descriptor; bit 11: the name is UTF-8. */
const FLAGS = 0x0808;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** Deflate output is pushed in pieces of this size (zlib's default of 16 KiB means many small pushes). */
const DEFLATE_CHUNK_BYTES = 256 * 1024;

interface Central {
  name: Buffer;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** MS-DOS time and date fields (local time, as zip tools write them). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

function localHeader(c: Central): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(SIG_LOCAL, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(FLAGS, 6);
  b.writeUInt16LE(c.method, 8);
  b.writeUInt16LE(c.time, 10);
  b.writeUInt16LE(c.date, 12);
  // CRC and sizes: 0 here, in the data descriptor.
  b.writeUInt16LE(c.name.length, 26);
  return Buffer.concat([b, c.name]);
}

/** The data descriptor: 8-byte sizes when either size needs them (the central directory then carries ZIP64 fields). */
function descriptor(c: Central): Buffer {
  const wide = c.compressed >= MAX32 || c.size >= MAX32;
  const b = Buffer.alloc(wide ? 24 : 16);
  b.writeUInt32LE(SIG_DESCRIPTOR, 0);
  b.writeUInt32LE(c.crc, 4);
  if (wide) {
    b.writeBigUInt64LE(BigInt(c.compressed), 8);
    b.writeBigUInt64LE(BigInt(c.size), 16);
  } else {
    b.writeUInt32LE(c.compressed, 8);
    b.writeUInt32LE(c.size, 12);
  }
  return b;
}

function centralHeader(c: Central): Buffer {
  const wide = [c.size >= MAX32, c.compressed >= MAX32, c.offset >= MAX32];
  const extra: Buffer[] = [];
  if (wide[0]) extra.push(u64(c.size));
  if (wide[1]) extra.push(u64(c.compressed));
  if (wide[2]) extra.push(u64(c.offset));
  const zip64 = extra.length > 0 ? Buffer.concat([u16(0x0001), u16(extra.length * 8), ...extra]) : Buffer.alloc(0);
  const b = Buffer.alloc(46);
  b.writeUInt32LE(SIG_CENTRAL, 0);
  b.writeUInt16LE(45, 4);
  b.writeUInt16LE(zip64.length > 0 ? 45 : 20, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(c.method, 10);
  b.writeUInt16LE(c.time, 12);
  b.writeUInt16LE(c.date, 14);
  b.writeUInt32LE(c.crc, 16);
  b.writeUInt32LE(wide[1] ? MAX32 : c.compressed, 20);
  b.writeUInt32LE(wide[0] ? MAX32 : c.size, 24);
  b.writeUInt16LE(c.name.length, 28);
  b.writeUInt16LE(zip64.length, 30);
  b.writeUInt32LE(wide[2] ? MAX32 : c.offset, 42);
  return Buffer.concat([b, c.name, zip64]);
}

function endRecords(count: number, cdOffset: number, cdSize: number): Buffer {
  const parts: Buffer[] = [];
  const zip64 = count >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
    loc.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    loc.writeUInt32LE(1, 16);
    parts.push(rec, loc);
  }
  const e = Buffer.alloc(22);
  e.writeUInt32LE(SIG_EOCD, 0);
  e.writeUInt16LE(Math.min(count, MAX16), 8);
  e.writeUInt16LE(Math.min(count, MAX16), 10);
  e.writeUInt32LE(Math.min(cdSize, MAX32), 12);
  e.writeUInt32LE(Math.min(cdOffset, MAX32), 16);
  parts.push(e);
  return Buffer.concat(parts);
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/**
 * A zip written entry after entry as a Readable; the subset of archiver's interface the bundle
 * writer uses (`append`, `finalize`, `abort`, the `entry` and `error` events).
 */
export class ZipWriter extends Readable {
  private readonly queue: { source: Readable; name: string; date: Date }[] = [];
  private readonly central: Central[] = [];
  private readonly level: number;
  private offset = 0;
  private busy = false;
  private finalizing: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(level: number) {
    super({ highWaterMark: 1 << 20 });
    this.level = level;
  }

  append(source: Readable, data: { name: string; date?: Date }): this {
    this.queue.push({ source, name: data.name, date: data.date ?? new Date() });
    void this.pump();
    return this;
  }

  /** Writes the central directory once every entry is in; resolves when the zip's last byte is pushed. */
  finalize(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finalizing = resolve));
    void this.pump();
    return done;
  }

  abort(): void {
    this.destroy();
  }

  override _read(): void {
    const w = this.wakeWriter;
    this.wakeWriter = undefined;
    w?.();
  }

  private async out(b: Buffer): Promise<void> {
    this.offset += b.length;
    if (!this.push(b) && !this.destroyed) await new Promise<void>((resolve) => (this.wakeWriter = resolve));
  }

  private async pump(): Promise<void> {
    if (this.busy || this.destroyed) return;
    this.busy = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        await this.entry(e.source, e.name, e.date);
        if (this.destroyed) return;
      }
      if (this.finalizing) await this.end();
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.busy = false;
    }
  }

  private async entry(source: Readable, name: string, date: Date): Promise<void> {
    const c: Central = { name: Buffer.from(name, 'utf8'), method: this.level > 0 ? 8 : 0, ...dosDateTime(date), crc: 0, compressed: 0, size: 0, offset: this.offset };
    await this.out(localHeader(c));
    const start = this.offset;
    if (c.method === 0) {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        c.crc = crc32(chunk, c.crc);
        c.size += chunk.length;
        await this.out(chunk);
      }
    } else {
      const deflate = createDeflateRaw({ level: this.level, chunkSize: DEFLATE_CHUNK_BYTES, flush: zc.Z_NO_FLUSH });
      const drained = (async () => {
        for await (const chunk of deflate as AsyncIterable<Buffer>) await this.out(chunk);
      })();
      drained.catch(() => undefined);
      for await (const chunk of source as AsyncIterable<Buffer>) {
        c.crc = crc32(chunk, c.crc);
        c.size += chunk.length;
        if (!deflate.write(chunk)) await Promise.race([once(deflate, 'drain'), drained]);
      }
      deflate.end();
      await drained;
    }
    c.compressed = this.offset - start;
    await this.out(descriptor(c));
    this.central.push(c);
    this.emit('entry', { name });
  }

  private async end(): Promise<void> {
    const cdOffset = this.offset;
    for (const c of this.central) await this.out(centralHeader(c));
    await this.out(endRecords(this.central.length, cdOffset, this.offset - cdOffset));
    this.push(null);
    this.finalizing?.();
  }
}
