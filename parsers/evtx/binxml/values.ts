import { FormatError, type ByteReader } from '../../common/index.js';
import type { AnsiDecoder, Scalar, Value } from './model.js';
import { FIXED_VALUE_SIZE, VALUE_ARRAY_FLAG, VALUE_TYPE } from './tokens.js';

/**
 * Decoding of substitution values, [MS-EVEN6] §2.2.12 / libyal "Value types". Every value is
 * decoded from exactly `size` bytes at the reader's cursor (the cursor is not moved: the
 * caller advances by the descriptor's size, so a bad value never desynchronises the stream).
 */

const UTF16 = new TextDecoder('utf-16le');
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function unsupported(r: ByteReader, at: number, type: number, why: string): FormatError {
  return new FormatError({
    code: 'UNSUPPORTED_VALUE_TYPE',
    format: 'evtx',
    offset: r.baseOffset + at,
    what: `value type 0x${type.toString(16)}`,
    message: `evtx: value type 0x${type.toString(16)} at offset ${r.baseOffset + at}: ${why}`,
  });
}

/** Upper-case hex of bytes (evtx_dump's Binary rendering). */
export function hexUpper(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] as number];
  return s;
}

/** UTF-16LE text cut at the first NUL unit (as evtx_dump does for string values). */
export function decodeUtf16z(b: Uint8Array): string {
  const s = UTF16.decode(b.length & 1 ? b.subarray(0, b.length - 1) : b);
  const z = s.indexOf('\u0000');
  return z < 0 ? s : s.slice(0, z);
}

/** Milliseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
export const EPOCH_DIFF_MS = 11_644_473_600_000;

/**
 * FILETIME from its two 32-bit halves → ISO-8601 UTC with 7 fractional digits, without
 * BigInt (hot path): ticks = hi·2^32 + lo = hi·429496·10^4 + (hi·7296 + lo).
 */
export function filetimeHalvesToIso(lo: number, hi: number): string | undefined {
  const low = hi * 7296 + lo; // < 2^45: exact
  const ms = hi * 429496 + Math.floor(low / 10000) - EPOCH_DIFF_MS;
  const rem = low % 10000;
  if (Math.abs(ms) > 8.64e15) return undefined;
  // Date formatting is the costly part; records of a chunk mostly share their second, so
  // the "YYYY-MM-DDTHH:MM:SS." prefix of the last second seen is kept.
  const sec = Math.floor(ms / 1000);
  if (sec !== lastSecond) {
    lastPrefix = new Date(sec * 1000).toISOString().slice(0, -4);
    lastSecond = sec;
  }
  return lastPrefix + String(ms - sec * 1000).padStart(3, '0') + String(rem).padStart(4, '0') + 'Z';
}
let lastSecond = Number.NaN;
let lastPrefix = '';

function int64(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

/** GUID as upper-case `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (data1..3 little-endian). */
export function decodeGuid(b: Uint8Array, o: number): string {
  const h = (i: number): string => HEX[b[o + i] as number] as string;
  return h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' + h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
}

/** SID `S-R-A-S1-...`; undefined when the bytes do not hold a whole SID. */
export function decodeSid(b: Uint8Array, o: number, size: number): string | undefined {
  if (size < 8) return undefined;
  const rev = b[o] as number;
  const count = b[o + 1] as number;
  if (8 + count * 4 > size) return undefined;
  let auth = 0;
  for (let i = 2; i < 8; i++) auth = auth * 256 + (b[o + i] as number);
  let s = `S-${rev}-${auth}`;
  for (let i = 0; i < count; i++) {
    const p = o + 8 + i * 4;
    s += '-' + (((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16)) + (b[p + 3] as number) * 0x1000000);
  }
  return s;
}

/** SYSTEMTIME (8 × u16) → ISO-8601 UTC with 7 fractional digits; undefined when invalid. */
export function decodeSystemtime(dv: DataView, o: number): string | undefined {
  const y = dv.getUint16(o, true);
  const mo = dv.getUint16(o + 2, true);
  const d = dv.getUint16(o + 6, true);
  const h = dv.getUint16(o + 8, true);
  const mi = dv.getUint16(o + 10, true);
  const s = dv.getUint16(o + 12, true);
  const ms = dv.getUint16(o + 14, true);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || ms > 999) return undefined;
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${p(y, 4)}-${p(mo, 2)}-${p(d, 2)}T${p(h, 2)}:${p(mi, 2)}:${p(s, 2)}.${p(ms, 3)}0000Z`;
}

function hex(v: number | bigint): string {
  return '0x' + v.toString(16);
}

/** Decodes one scalar of a fixed-size type at `o` (relative to the reader's bytes). */
function decodeFixed(r: ByteReader, o: number, type: number): Scalar {
  const dv = r.view;
  switch (type) {
    case VALUE_TYPE.int8:
      return dv.getInt8(o);
    case VALUE_TYPE.uint8:
      return dv.getUint8(o);
    case VALUE_TYPE.int16:
      return dv.getInt16(o, true);
    case VALUE_TYPE.uint16:
      return dv.getUint16(o, true);
    case VALUE_TYPE.int32:
      return dv.getInt32(o, true);
    case VALUE_TYPE.uint32:
      return dv.getUint32(o, true);
    case VALUE_TYPE.int64:
      return int64(dv.getBigInt64(o, true));
    case VALUE_TYPE.uint64:
      return int64(dv.getBigUint64(o, true));
    case VALUE_TYPE.real32:
      return dv.getFloat32(o, true);
    case VALUE_TYPE.real64:
      return dv.getFloat64(o, true);
    case VALUE_TYPE.bool:
      return dv.getInt32(o, true) !== 0;
    case VALUE_TYPE.guid:
      return decodeGuid(r.bytes, o);
    case VALUE_TYPE.filetime:
      return filetimeHalvesToIso(dv.getUint32(o, true), dv.getUint32(o + 4, true)) ?? hex(dv.getBigUint64(o, true));
    case VALUE_TYPE.systemtime:
      return decodeSystemtime(dv, o) ?? hexUpper(r.bytes.subarray(o, o + 16));
    case VALUE_TYPE.hexInt32:
      return hex(dv.getUint32(o, true));
    case VALUE_TYPE.hexInt64:
      return hex(dv.getBigUint64(o, true));
    default:
      throw unsupported(r, o, type, 'not a fixed-size type');
  }
}

const NULL_VALUE: Value = { k: 0, t: VALUE_TYPE.null, v: null };

/**
 * Decodes a non-BinXML substitution value of `size` bytes at `r.pos`. The caller handles
 * type 0x21 (nested BinXML). `ansi` decodes type 0x02 (codepage option).
 */
export function decodeValue(r: ByteReader, type: number, size: number, ansi: AnsiDecoder): Value {
  const o = r.pos;
  r.need(size, 'substitution.value');
  if (size === 0 || type === VALUE_TYPE.null) return NULL_VALUE;
  const b = r.bytes;
  switch (type) {
    case VALUE_TYPE.string:
      return { k: 0, t: type, v: decodeUtf16z(b.subarray(o, o + size)) };
    case VALUE_TYPE.ansiString: {
      let n = 0;
      while (n < size && b[o + n] !== 0) n++;
      return { k: 0, t: type, v: ansi.decode(b.subarray(o, o + n)) };
    }
    case VALUE_TYPE.binary:
    case VALUE_TYPE.evtHandle:
    case VALUE_TYPE.evtXml:
      return { k: 0, t: type, v: hexUpper(b.subarray(o, o + size)) };
    case VALUE_TYPE.sid: {
      const sid = decodeSid(b, o, size);
      if (sid === undefined) throw unsupported(r, o, type, `SID of ${size} bytes is incomplete`);
      return { k: 0, t: type, v: sid };
    }
    case VALUE_TYPE.sizeT:
      if (size === 4) return { k: 0, t: type, v: hex(r.view.getUint32(o, true)) };
      if (size === 8) return { k: 0, t: type, v: hex(r.view.getBigUint64(o, true)) };
      throw unsupported(r, o, type, `size_t of ${size} bytes`);
    case VALUE_TYPE.bool:
      // Some writers store BOOL in fewer than 4 bytes; any non-zero byte is true.
      if (size < 4) {
        let any = false;
        for (let i = 0; i < size; i++) if (b[o + i] !== 0) any = true;
        return { k: 0, t: type, v: any };
      }
      return { k: 0, t: type, v: decodeFixed(r, o, type) };
    default:
      break;
  }
  if (type & VALUE_ARRAY_FLAG) return decodeArray(r, type, size, ansi);
  const fixed = FIXED_VALUE_SIZE[type];
  if (fixed === undefined) throw unsupported(r, o, type, 'unknown value type');
  if (size < fixed) throw unsupported(r, o, type, `${size} bytes, need ${fixed}`);
  return { k: 0, t: type, v: decodeFixed(r, o, type) };
}

function decodeArray(r: ByteReader, type: number, size: number, ansi: AnsiDecoder): Value {
  const base = type & ~VALUE_ARRAY_FLAG;
  const o = r.pos;
  const b = r.bytes;
  const items: Scalar[] = [];
  if (base === VALUE_TYPE.string) {
    // NUL-terminated UTF-16 strings back to back.
    let start = o;
    const end = o + size - (size & 1);
    for (let p = o; p < end; p += 2) {
      if (b[p] === 0 && b[p + 1] === 0) {
        items.push(UTF16.decode(b.subarray(start, p)));
        start = p + 2;
      }
    }
    if (start < end) items.push(UTF16.decode(b.subarray(start, end)));
    return { k: 0, t: type, v: items };
  }
  if (base === VALUE_TYPE.ansiString) {
    let start = o;
    for (let p = o; p < o + size; p++) {
      if (b[p] === 0) {
        items.push(ansi.decode(b.subarray(start, p)));
        start = p + 1;
      }
    }
    if (start < o + size) items.push(ansi.decode(b.subarray(start, o + size)));
    return { k: 0, t: type, v: items };
  }
  if (base === VALUE_TYPE.sid) {
    let p = o;
    while (p + 8 <= o + size) {
      const n = 8 + (b[p + 1] as number) * 4;
      const sid = decodeSid(b, p, o + size - p);
      if (sid === undefined) break;
      items.push(sid);
      p += n;
    }
    return { k: 0, t: type, v: items };
  }
  const fixed = FIXED_VALUE_SIZE[base];
  if (fixed === undefined) throw unsupported(r, o, type, 'unknown array element type');
  for (let p = o; p + fixed <= o + size; p += fixed) items.push(decodeFixed(r, p, base));
  return { k: 0, t: type, v: items };
}
