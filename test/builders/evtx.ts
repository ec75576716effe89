/**
 * Builders for small synthetic EVTX inputs: a Binary XML emitter that knows
 * its chunk-relative position (names and templates are written inline, where their offset
 * equals the position), and `buildEvtxFile` that lays records into one chunk with valid
 * CRC32s. Format: libyal EVTX §2–4, [MS-EVEN6] §2.2.12.
 */
import { crc32 } from '../../parsers/evtx/crc32.js';

export class BinXmlEmitter {
  readonly bytes: number[] = [];
  /** Chunk-relative offset of the first byte. */
  readonly base: number;
  constructor(base: number) {
    this.base = base;
  }
  get pos(): number {
    return this.base + this.bytes.length;
  }
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: bigint): this {
    return this.u32(Number(v & 0xffffffffn)).u32(Number(v >> 32n));
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.bytes.push((b[i] as number) & 0xff);
    return this;
  }
  utf16(s: string): this {
    for (let i = 0; i < s.length; i++) this.u16(s.charCodeAt(i));
    return this;
  }
  /** A name reference followed by the name written inline. */
  name(s: string): this {
    this.u32(this.pos + 4);
    return this.u32(0).u16(0).u16(s.length).utf16(s).u16(0);
  }
  fragmentHeader(): this {
    return this.u8(0x0f).u8(1).u8(1).u8(0);
  }
  open(name: string, hasAttrs: boolean, inTemplate = true): this {
    this.u8(hasAttrs ? 0x41 : 0x01);
    if (inTemplate) this.u16(0xffff);
    this.u32(0).name(name);
    if (hasAttrs) this.u32(0);
    return this;
  }
  attr(name: string, more = false): this {
    return this.u8(more ? 0x46 : 0x06).name(name);
  }
  closeStart(): this {
    return this.u8(0x02);
  }
  closeEmpty(): this {
    return this.u8(0x03);
  }
  end(): this {
    return this.u8(0x04);
  }
  eof(): this {
    return this.u8(0x00);
  }
  text(s: string): this {
    return this.u8(0x05).u8(0x01).u16(s.length).utf16(s);
  }
  subst(index: number, type: number, optional = false): this {
    return this.u8(optional ? 0x0e : 0x0d)
      .u16(index)
      .u8(type);
  }
  charRef(code: number): this {
    return this.u8(0x08).u16(code);
  }
  /**
   * Template instance. With `body`, the definition is written inline (its offset is the
   * current position) and `body` emits the tokens; with `defOffset`, an earlier definition
   * is referenced. Then the values follow.
   */
  template(spec: { body?: (e: BinXmlEmitter) => void; defOffset?: number; values: TemplateValue[] }): { defOffset: number } {
    this.u8(0x0c).u8(0x01).u32(0);
    let defOffset: number;
    if (spec.body) {
      defOffset = this.pos + 4;
      this.u32(defOffset);
      this.u32(0).raw(new Array<number>(16).fill(0x11));
      const sizeAt = this.bytes.length;
      this.u32(0);
      const start = this.bytes.length;
      spec.body(this);
      const size = this.bytes.length - start;
      const tmp = new BinXmlEmitter(0).u32(size).bytes;
      this.bytes.splice(sizeAt, 4, ...tmp);
    } else {
      defOffset = spec.defOffset ?? 0;
      this.u32(defOffset);
    }
    this.u32(spec.values.length);
    for (const v of spec.values) this.u16(v.bytes.length).u8(v.type).u8(0);
    for (const v of spec.values) this.raw(v.bytes);
    return { defOffset };
  }
}

export interface TemplateValue {
  type: number;
  bytes: number[];
}

export const val = {
  str: (s: string): TemplateValue => ({ type: 0x01, bytes: new BinXmlEmitter(0).utf16(s).bytes }),
  u16: (v: number): TemplateValue => ({ type: 0x06, bytes: new BinXmlEmitter(0).u16(v).bytes }),
  u32: (v: number): TemplateValue => ({ type: 0x08, bytes: new BinXmlEmitter(0).u32(v).bytes }),
  u64: (v: bigint): TemplateValue => ({ type: 0x0a, bytes: new BinXmlEmitter(0).u64(v).bytes }),
  i8: (v: number): TemplateValue => ({ type: 0x03, bytes: [v & 0xff] }),
  hex64: (v: bigint): TemplateValue => ({ type: 0x15, bytes: new BinXmlEmitter(0).u64(v).bytes }),
  filetime: (v: bigint): TemplateValue => ({ type: 0x11, bytes: new BinXmlEmitter(0).u64(v).bytes }),
  bool: (b: boolean): TemplateValue => ({ type: 0x0d, bytes: new BinXmlEmitter(0).u32(b ? 1 : 0).bytes }),
  binary: (b: number[]): TemplateValue => ({ type: 0x0e, bytes: b }),
  guid: (b: number[]): TemplateValue => ({ type: 0x0f, bytes: b }),
  sid: (b: number[]): TemplateValue => ({ type: 0x13, bytes: b }),
  null: (): TemplateValue => ({ type: 0x00, bytes: [] }),
  real64: (v: number): TemplateValue => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    return { type: 0x0c, bytes: [...new Uint8Array(dv.buffer)] };
  },
  strArray: (items: string[]): TemplateValue => ({ type: 0x81, bytes: new BinXmlEmitter(0).utf16(items.map((s) => s + '\0').join('')).bytes }),
  systemtime: (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): TemplateValue => ({
    type: 0x12,
    bytes: new BinXmlEmitter(0).u16(y).u16(mo).u16(0).u16(d).u16(h).u16(mi).u16(s).u16(ms).bytes,
  }),
};

export interface BuiltRecord {
  id: bigint;
  filetime: bigint;
  /** Emits the record's Binary XML (the emitter's base is the chunk-relative position). */
  body: (e: BinXmlEmitter) => void;
}

/** Lays records into one chunk (after its 512-byte header) with valid checksums. */
export function buildChunk(records: BuiltRecord[]): Uint8Array {
  const chunk = new Uint8Array(0x10000);
  let pos = 0x200;
  for (const rec of records) {
    const e = new BinXmlEmitter(pos + 24);
    rec.body(e);
    const size = 24 + e.bytes.length + 4;
    const head = new BinXmlEmitter(0).u32(0x2a2a).u32(size).u64(rec.id).u64(rec.filetime).bytes;
    chunk.set(head, pos);
    chunk.set(e.bytes, pos + 24);
    chunk.set(new BinXmlEmitter(0).u32(size).bytes, pos + size - 4);
    pos += size;
  }
  const dv = new DataView(chunk.buffer);
  chunk.set([0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00], 0);
  const first = records[0]?.id ?? 1n;
  const last = records[records.length - 1]?.id ?? 0n;
  dv.setBigUint64(0x08, first, true);
  dv.setBigUint64(0x10, last, true);
  dv.setBigUint64(0x18, first, true);
  dv.setBigUint64(0x20, last, true);
  dv.setUint32(0x28, 0x80, true);
  dv.setUint32(0x2c, 0x200, true);
  dv.setUint32(0x30, pos, true);
  dv.setUint32(0x34, crc32(chunk.subarray(0x200, pos)), true);
  dv.setUint32(0x7c, crc32(chunk.subarray(0x80, 0x200), crc32(chunk.subarray(0, 0x78))), true);
  return chunk;
}

/** A whole file: 4 KiB header block + the given chunks, with a valid header CRC. */
export function buildEvtxFile(chunks: Uint8Array[], opts: { flags?: number; minor?: number } = {}): Uint8Array {
  const file = new Uint8Array(0x1000 + chunks.length * 0x10000);
  const dv = new DataView(file.buffer);
  file.set([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00], 0);
  dv.setBigUint64(0x08, 0n, true);
  dv.setBigUint64(0x10, BigInt(Math.max(0, chunks.length - 1)), true);
  dv.setBigUint64(0x18, 100n, true);
  dv.setUint32(0x20, 0x80, true);
  dv.setUint16(0x24, opts.minor ?? 2, true);
  dv.setUint16(0x26, 3, true);
  dv.setUint16(0x28, 0x1000, true);
  dv.setUint16(0x2a, chunks.length, true);
  dv.setUint32(0x78, opts.flags ?? 0, true);
  dv.setUint32(0x7c, crc32(file.subarray(0, 0x78)), true);
  chunks.forEach((c, i) => file.set(c, 0x1000 + i * 0x10000));
  return file;
}

/** The System/EventData template used by the unit tests (values 0..6). */
export function eventTemplateBody(e: BinXmlEmitter): void {
  e.fragmentHeader();
  e.open('Event', true).attr('xmlns').text('http://schemas.microsoft.com/win/2004/08/events/event').closeStart();
  e.open('System', false).closeStart();
  e.open('Provider', true).attr('Name', true).subst(0, 0x01).attr('Guid').subst(6, 0x0f, true).closeEmpty();
  e.open('EventID', true).attr('Qualifiers').subst(7, 0x06, true).closeStart().subst(1, 0x06).end();
  e.open('TimeCreated', true).attr('SystemTime').subst(2, 0x11).closeEmpty();
  e.open('EventRecordID', false).closeStart().subst(3, 0x0a).end();
  e.open('Keywords', false).closeStart().subst(8, 0x15).end();
  e.open('Correlation', false).closeEmpty();
  e.end(); // System
  e.open('EventData', false).closeStart();
  e.open('Data', true).attr('Name').text('Image').closeStart().subst(4, 0x01).end();
  e.open('Data', true).attr('Name').text('Count').closeStart().subst(5, 0x08).end();
  e.end(); // EventData
  e.end(); // Event
  e.eof();
}
