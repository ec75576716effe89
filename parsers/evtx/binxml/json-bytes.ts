import { EPOCH_DIFF_MS } from './values.js';

/**
 * UTF-8 output for the jsonl renderer: a growable byte buffer and writers that put JSON text
 * straight into it, so a chunk's records become one block of bytes without building,
 * joining and re-encoding JavaScript strings on the hot path.
 *
 * Every writer produces exactly the bytes that `Buffer.from(JSON.stringify(x), 'utf8')` would:
 * JSON.stringify's escapes (`\"`, `\\`, `\b \f \n \r \t`, `\u00XX` for other controls, lone
 * surrogates as `\uDXXX` in lower-case hex), everything else as UTF-8.
 */

const INITIAL_BYTES = 1 << 18;
/** A sink grown past this for one huge chunk gives the memory back afterwards. */
const KEEP_BYTES = 1 << 22;
const HEX_LOWER = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';
/** Byte order of a GUID's text (-1: a dash): data1..3 little-endian, data4 as stored. */
const GUID_ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
const UTF8 = new TextEncoder();

export class ByteSink {
  buf = new Uint8Array(INITIAL_BYTES);
  pos = 0;

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /**
   * The bytes written since `from`, in a buffer of their own (the caller may transfer it).
   * Normally copied out, and the sink keeps its buffer for the next chunk; a sink grown past
   * KEEP_BYTES (one huge chunk) hands over its buffer instead of copying it, and starts small.
   */
  take(from = 0): Uint8Array {
    let out: Uint8Array;
    if (from === 0 && this.buf.length > KEEP_BYTES) {
      out = this.buf.subarray(0, this.pos);
      this.buf = new Uint8Array(INITIAL_BYTES);
    } else out = this.buf.slice(from, this.pos);
    this.pos = from;
    return out;
  }

  /** Pre-encoded bytes `b[from..to)` (a plan's fixed text). */
  span(b: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 32) for (let i = from; i < to; i++) buf[p++] = b[i] as number;
    else {
      buf.set(b.subarray(from, to), p);
      p += n;
    }
    this.pos = p;
  }

  /** A string that is already JSON text (JSON.stringify output, numbers), as UTF-8. */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[p++] = c;
      else {
        // Non-ASCII: let the encoder do the rest of the string.
        this.pos = p;
        this.pos += UTF8.encodeInto(s.slice(i), buf.subarray(p)).written;
        return;
      }
    }
    this.pos = p;
  }

  /**
   * A FILETIME from its halves as evtx_dump's JSON text, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (what
   * values.ts filetimeHalvesToIso + isoWithPrecision(…, 6) give); false (nothing written)
   * when it is out of the Date range (the caller writes the hex form).
   */
  filetimeJson(lo: number, hi: number): boolean {
    const low = hi * 7296 + lo; // ticks = hi·429496·10^4 + (hi·7296 + lo), exact below 2^53
    const ms = hi * 429496 + Math.floor(low / 10000) - EPOCH_DIFF_MS;
    if (Math.abs(ms) > 8.64e15) return false;
    const sec = Math.floor(ms / 1000);
    if (sec !== this.lastSecond) {
      // A string, not TextEncoder bytes: every new Uint8Array is an off-heap allocation, and
      // those serialise worker threads (records mostly differ in their second).
      this.lastPrefix = new Date(sec * 1000).toISOString().slice(0, -4);
      this.lastSecond = sec;
    }
    this.raw(this.lastPrefix);
    this.ensure(7);
    const buf = this.buf;
    let p = this.pos;
    const milli = ms - sec * 1000;
    const micro = Math.floor((low % 10000) / 10);
    buf[p++] = 0x30 + Math.floor(milli / 100);
    buf[p++] = 0x30 + (Math.floor(milli / 10) % 10);
    buf[p++] = 0x30 + (milli % 10);
    buf[p++] = 0x30 + Math.floor(micro / 100);
    buf[p++] = 0x30 + (Math.floor(micro / 10) % 10);
    buf[p++] = 0x30 + (micro % 10);
    buf[p++] = 0x5a; // Z
    this.pos = p;
    return true;
  }
  private lastSecond = Number.NaN;
  private lastPrefix = '';

  /** An integer (|n| < 2^53) in decimal, as String(n). */
  int(n: number): void {
    this.ensure(17);
    const buf = this.buf;
    let p = this.pos;
    if (n < 0) {
      buf[p++] = 0x2d;
      n = -n;
    }
    if (n < 10) buf[p++] = 0x30 + n;
    else {
      // (x - x % 10) / 10 is exact up to 2^53, where Math.floor(x / 10) can round up.
      let len = 0;
      for (let x = n; x >= 1; x = (x - (x % 10)) / 10) len++;
      let q = p + len;
      p = q;
      for (let x = n; x >= 1; x = (x - (x % 10)) / 10) buf[--q] = 0x30 + (x % 10);
    }
    this.pos = p;
  }

  /** `0x` and a 64-bit value from its halves in lower-case hex without leading zeros (BigInt's toString(16)). */
  hex(hi: number, lo: number): void {
    this.ensure(18);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x30;
    buf[p++] = 0x78;
    let started = false;
    for (let k = 7; k >= 0; k--) {
      const d = (hi >>> (k * 4)) & 0xf;
      if (d !== 0 || started) {
        buf[p++] = HEX_LOWER.charCodeAt(d);
        started = true;
      }
    }
    for (let k = 7; k >= 0; k--) {
      const d = (lo >>> (k * 4)) & 0xf;
      if (d !== 0 || started || k === 0) {
        buf[p++] = HEX_LOWER.charCodeAt(d);
        started = true;
      }
    }
    this.pos = p;
  }

  /** A GUID at `b[o..o+16)` as values.ts decodeGuid writes it (upper-case, no braces). */
  guid(b: Uint8Array, o: number): void {
    this.ensure(36);
    const buf = this.buf;
    let p = this.pos;
    for (const i of GUID_ORDER) {
      if (i < 0) buf[p++] = 0x2d;
      else {
        const x = b[o + i] as number;
        buf[p++] = HEX_UPPER.charCodeAt(x >> 4);
        buf[p++] = HEX_UPPER.charCodeAt(x & 0xf);
      }
    }
    this.pos = p;
  }

  /** A SID at `b[o..)` as values.ts decodeSid writes it (the caller checked it is whole). */
  sid(b: Uint8Array, o: number): void {
    const count = b[o + 1] as number;
    this.raw('S-');
    this.int(b[o] as number);
    this.raw('-');
    let auth = 0;
    for (let i = 2; i < 8; i++) auth = auth * 256 + (b[o + i] as number);
    this.int(auth);
    for (let i = 0; i < count; i++) {
      const q = o + 8 + i * 4;
      this.raw('-');
      this.int(((b[q] as number) | ((b[q + 1] as number) << 8) | ((b[q + 2] as number) << 16)) + (b[q + 3] as number) * 0x1000000);
    }
  }

  /** `b[off..off+size)` as upper-case hex (values.ts hexUpper: evtx_dump's Binary). */
  hexUpper(b: Uint8Array, off: number, size: number): void {
    this.ensure(size * 2);
    const buf = this.buf;
    let p = this.pos;
    for (let i = off; i < off + size; i++) {
      const x = b[i] as number;
      buf[p++] = HEX_UPPER.charCodeAt(x >> 4);
      buf[p++] = HEX_UPPER.charCodeAt(x & 0xf);
    }
    this.pos = p;
  }

  /** `s` as the content of a JSON string (escaped as JSON.stringify does, no quotes). */
  jsonText(s: string): void {
    const n = s.length;
    this.ensure(n * 6);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) buf[p++] = c;
      else if (c < 0x80) p = escapeAscii(buf, p, c);
      else if (c < 0xd800 || c > 0xdfff) p = utf8Bmp(buf, p, c);
      else {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          p = utf8Pair(buf, p, c, d);
          i++;
        } else p = escapeUnit(buf, p, c);
      }
    }
    this.pos = p;
  }

  /**
   * A UTF-16LE substitution string at `b[off..off+size)` as JSON string content: the text
   * `decodeUtf16z` gives (TextDecoder 'utf-16le': a leading BOM dropped, an odd last byte
   * dropped, lone surrogates as U+FFFD; cut at the first NUL), escaped as JSON.stringify does.
   */
  utf16Json(b: Uint8Array, off: number, size: number): void {
    const end = off + (size & ~1);
    let q = off;
    if (q + 1 < end && b[q] === 0xff && b[q + 1] === 0xfe) q += 2; // BOM
    this.ensure(((end - q) >> 1) * 6);
    const buf = this.buf;
    let p = this.pos;
    for (; q < end; q += 2) {
      const c = (b[q] as number) | ((b[q + 1] as number) << 8);
      if (c >= 0x20 && c < 0x80 && c !== 0x22 && c !== 0x5c) buf[p++] = c;
      else if (c === 0) break;
      else if (c < 0x80) p = escapeAscii(buf, p, c);
      else if (c < 0xd800 || c > 0xdfff) p = utf8Bmp(buf, p, c);
      else {
        const d = q + 3 < end ? (b[q + 2] as number) | ((b[q + 3] as number) << 8) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          p = utf8Pair(buf, p, c, d);
          q += 2;
        } else {
          // TextDecoder replaces a lone surrogate with U+FFFD.
          buf[p++] = 0xef;
          buf[p++] = 0xbf;
          buf[p++] = 0xbd;
        }
      }
    }
    this.pos = p;
  }
}

/** True when the UTF-16LE string at `b[off..off+size)` decodes to '' (decodeUtf16z). */
export function isEmptyUtf16(b: Uint8Array, off: number, size: number): boolean {
  const end = off + (size & ~1);
  let q = off;
  if (q + 1 < end && b[q] === 0xff && b[q + 1] === 0xfe) q += 2;
  return q >= end || (b[q] === 0 && b[q + 1] === 0);
}

function escapeAscii(buf: Uint8Array, p: number, c: number): number {
  buf[p++] = 0x5c;
  switch (c) {
    case 0x22:
      buf[p++] = 0x22;
      return p;
    case 0x5c:
      buf[p++] = 0x5c;
      return p;
    case 0x08:
      buf[p++] = 0x62; // b
      return p;
    case 0x0c:
      buf[p++] = 0x66; // f
      return p;
    case 0x0a:
      buf[p++] = 0x6e; // n
      return p;
    case 0x0d:
      buf[p++] = 0x72; // r
      return p;
    case 0x09:
      buf[p++] = 0x74; // t
      return p;
    default:
      return hex4(buf, p, c);
  }
}

/** `\uXXXX` for a lone surrogate (JSON.stringify, lower-case hex). */
function escapeUnit(buf: Uint8Array, p: number, c: number): number {
  buf[p++] = 0x5c;
  return hex4(buf, p, c);
}

/** `uXXXX` after the backslash. */
function hex4(buf: Uint8Array, p: number, c: number): number {
  buf[p++] = 0x75; // u
  buf[p++] = HEX_LOWER.charCodeAt((c >> 12) & 0xf);
  buf[p++] = HEX_LOWER.charCodeAt((c >> 8) & 0xf);
  buf[p++] = HEX_LOWER.charCodeAt((c >> 4) & 0xf);
  buf[p++] = HEX_LOWER.charCodeAt(c & 0xf);
  return p;
}

/** A BMP code unit from 0x80 up (not a surrogate) as 2 or 3 UTF-8 bytes. */
function utf8Bmp(buf: Uint8Array, p: number, c: number): number {
  if (c < 0x800) {
    buf[p++] = 0xc0 | (c >> 6);
    buf[p++] = 0x80 | (c & 0x3f);
  } else {
    buf[p++] = 0xe0 | (c >> 12);
    buf[p++] = 0x80 | ((c >> 6) & 0x3f);
    buf[p++] = 0x80 | (c & 0x3f);
  }
  return p;
}

function utf8Pair(buf: Uint8Array, p: number, hi: number, lo: number): number {
  const cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
  buf[p++] = 0xf0 | (cp >> 18);
  buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
  buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
  buf[p++] = 0x80 | (cp & 0x3f);
  return p;
}
