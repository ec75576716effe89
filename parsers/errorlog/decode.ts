/**
 * ERRORLOG bytes → physical lines with their exact byte offsets.
 *
 * SQL Server on Windows writes UTF-16LE with a BOM (CRLF); SQL Server on Linux writes UTF-8
 * without a BOM (LF). Lines are split on the byte level (0x0A, or 0x0A 0x00 at an even
 * position for UTF-16LE) so every line keeps its true byte offset, then each line is decoded
 * on its own: one bad byte sequence damages one line, never the rest of the file.
 */
import { decoderFor, sniffEncoding } from '../common/text.js';
import type { ErrorlogEncoding } from './types.js';
import { MAX_LINE_BYTES, MAX_LINE_CHARS } from './limits.js';

export interface DetectedEncoding {
  encoding: ErrorlogEncoding;
  /** Bytes of BOM to skip. */
  bomBytes: number;
}

/** The encoding by the rule shared by every text log, named as the ERRORLOG result reports it. */
export function detectEncoding(bytes: Uint8Array): DetectedEncoding {
  const { encoding, bomBytes } = sniffEncoding(bytes);
  if (bomBytes > 0) return { encoding: `${encoding}-bom`, bomBytes };
  // Without a BOM the rule finds UTF-16LE or UTF-8 only.
  return { encoding: encoding === 'utf-16le' ? 'utf-16le' : 'utf-8', bomBytes: 0 };
}

export interface PhysicalLine {
  /** 1-based. */
  lineNo: number;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** Bytes of the line without its terminator. */
  byteLength: number;
  /** Decoded text without the line terminator (CR, LF). */
  text: string;
  /** The line was longer than MAX_LINE_CHARS and was cut. */
  truncated: boolean;
  /** The line held byte sequences invalid in the encoding (replaced by U+FFFD). */
  invalid: boolean;
  /** The line held NUL characters (removed). */
  hadNul: boolean;
  /** UTF-16 line whose code units are pairs of printable ASCII bytes: 8-bit text in a UTF-16 file. */
  looks8bit: boolean;
}

/** Share of code units made of two printable ASCII bytes above which a UTF-16 line is 8-bit text. */
const EIGHT_BIT_SHARE = 0.9;

function looksLike8BitText(text: string): boolean {
  if (text.length < 8) return false;
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lo = c & 0xff;
    const hi = c >> 8;
    if (lo >= 0x20 && lo <= 0x7e && hi >= 0x20 && hi <= 0x7e) pairs++;
  }
  return pairs >= text.length * EIGHT_BIT_SHARE;
}

function isUtf16(enc: ErrorlogEncoding): boolean {
  return enc.startsWith('utf-16');
}

/** Index of the next line feed at or after `from` (units of 1 or 2 bytes), or -1. */
function nextLineFeed(bytes: Uint8Array, from: number, wide: boolean, bigEndian: boolean): number {
  if (!wide) return bytes.indexOf(0x0a, from);
  let i = from;
  while (i + 1 < bytes.length) {
    const j = bytes.indexOf(0x0a, i);
    if (j < 0 || j + 1 > bytes.length) return -1;
    // The LF byte must be the low byte of a code unit aligned with the line start.
    const aligned = (j - from) % 2 === (bigEndian ? 1 : 0);
    const unit = bigEndian ? j - 1 : j;
    if (aligned && unit + 1 < bytes.length && bytes[bigEndian ? unit : unit + 1] === 0) return unit;
    i = j + 1;
  }
  return -1;
}

/** Splits and decodes every physical line. Never throws on any input. */
export function* readPhysicalLines(bytes: Uint8Array, enc: DetectedEncoding): Generator<PhysicalLine> {
  const wide = isUtf16(enc.encoding);
  const bigEndian = enc.encoding === 'utf-16be-bom';
  const decoder = decoderFor(!wide ? 'utf-8' : bigEndian ? 'utf-16be' : 'utf-16le');
  const unit = wide ? 2 : 1;
  let pos = enc.bomBytes;
  let lineNo = 0;
  while (pos < bytes.length) {
    const lf = nextLineFeed(bytes, pos, wide, bigEndian);
    const end = lf < 0 ? bytes.length : lf;
    let stop = end;
    // Drop a CR before the LF (CRLF files): 0x0D (UTF-8) or the 0x0D code unit (UTF-16).
    if (stop - unit >= pos) {
      const crAt = stop - unit;
      const isCr = wide ? (bigEndian ? bytes[crAt] === 0 && bytes[crAt + 1] === 0x0d : bytes[crAt] === 0x0d && bytes[crAt + 1] === 0) : bytes[crAt] === 0x0d;
      if (isCr) stop = crAt;
    }
    const lineBytes = stop - pos;
    const cut = Math.min(lineBytes, wide ? MAX_LINE_CHARS * 2 : MAX_LINE_BYTES);
    let text = decoder.decode(bytes.subarray(pos, pos + cut));
    let truncated = cut < lineBytes;
    if (text.length > MAX_LINE_CHARS) {
      text = text.slice(0, MAX_LINE_CHARS);
      truncated = true;
    }
    const invalid = text.includes('\uFFFD');
    const hadNul = text.includes('\u0000');
    if (hadNul) text = text.replaceAll('\u0000', '');
    const looks8bit = wide && looksLike8BitText(text);
    lineNo++;
    yield { lineNo, offset: pos, byteLength: lineBytes, text, truncated, invalid, hadNul, looks8bit };
    // No-progress guard: `end` is at or after `pos`; the terminator is at least one unit.
    pos = lf < 0 ? bytes.length : Math.max(pos + unit, end + unit);
  }
}
