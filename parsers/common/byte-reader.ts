import { TruncatedError } from './errors.js';

const UTF16LE = new TextDecoder('utf-16le');
const LATIN1 = new TextDecoder('latin1');
const UTF8 = new TextDecoder('utf-8');

/**
 * A bounds-checked little-endian cursor over a Uint8Array. One DataView,
 * never copies the input; every read is labelled, and a failed read throws
 * `TruncatedError` with the absolute file offset (`baseOffset + pos`).
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute offset in the file of `bytes[0]`. */
  readonly baseOffset: number;
  readonly format: string;
  pos: number;

  /** `view`: a DataView over exactly `bytes` to share (fork), instead of making one. */
  constructor(bytes: Uint8Array, baseOffset = 0, format = 'binary', pos = 0, view?: DataView) {
    this.bytes = bytes;
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.baseOffset = baseOffset;
    this.format = format;
    this.pos = pos;
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  /** Absolute file offset of the cursor. */
  get absolute(): number {
    return this.baseOffset + this.pos;
  }

  /** A random-access child at `offset` (relative to this reader's bytes), sharing the buffer. */
  fork(offset: number): ByteReader {
    if (offset < 0 || offset > this.bytes.byteLength) {
      throw new TruncatedError(this.format, 'fork', this.baseOffset + offset, 0, this.bytes.byteLength - offset);
    }
    return new ByteReader(this.bytes, this.baseOffset, this.format, offset, this.view);
  }

  /** Throws unless `n` bytes are available at `at` (default: the cursor). */
  need(n: number, what: string, at: number = this.pos): void {
    if (at < 0 || n < 0 || at + n > this.bytes.byteLength) {
      throw new TruncatedError(this.format, what, this.baseOffset + at, n, Math.max(0, this.bytes.byteLength - at));
    }
  }

  seek(offset: number, what: string): void {
    this.need(0, what, offset);
    this.pos = offset;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  i8(what: string): number {
    this.need(1, what);
    return this.view.getInt8(this.pos++);
  }

  u16le(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  i16le(what: string): number {
    this.need(2, what);
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32le(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32le(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64le(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64le(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f32le(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64le(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` bytes as a subarray (no copy). */
  bytesAt(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** `chars` UTF-16LE code units. */
  utf16le(chars: number, what: string): string {
    return UTF16LE.decode(this.bytesAt(chars * 2, what));
  }

  /** `n` bytes of Latin-1 / ASCII text. */
  latin1(n: number, what: string): string {
    return LATIN1.decode(this.bytesAt(n, what));
  }

  /** `n` bytes of UTF-8 text. */
  utf8(n: number, what: string): string {
    return UTF8.decode(this.bytesAt(n, what));
  }

  // Random-access reads at a relative offset; the cursor does not move.
  u8At(offset: number, what: string): number {
    this.need(1, what, offset);
    return this.view.getUint8(offset);
  }

  u16At(offset: number, what: string): number {
    this.need(2, what, offset);
    return this.view.getUint16(offset, true);
  }

  u32At(offset: number, what: string): number {
    this.need(4, what, offset);
    return this.view.getUint32(offset, true);
  }

  u64At(offset: number, what: string): bigint {
    this.need(8, what, offset);
    return this.view.getBigUint64(offset, true);
  }
}

/** Decodes UTF-16LE bytes with the shared decoder. */
export function decodeUtf16le(bytes: Uint8Array): string {
  return UTF16LE.decode(bytes);
}
