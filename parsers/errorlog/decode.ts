/**
 * ERRORLOG encodings and the decoding of one physical line.
 *
 * SQL Server on Windows writes UTF-16LE with a BOM (CRLF); SQL Server on Linux writes UTF-8
 * without a BOM (LF). Lines are split on the byte level (line-split.ts: 0x0A, or 0x0A 0x00 at
 * an even position for UTF-16LE) so every line keeps its true byte offset, then each line is
 * decoded on its own: one bad byte sequence damages one line, never the rest of the file.
 */
import { sniffEncoding, type decoderFor } from '../common/text.js';
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

/**
 * Decodes one physical line. `head` holds at least the line's first
 * min(`lineBytes`, MAX_LINE_BYTES) bytes; `lineBytes` is its whole length without terminator.
 * Never throws on any input.
 */
export function decodePhysicalLine(head: Uint8Array, lineBytes: number, offset: number, lineNo: number, decoder: ReturnType<typeof decoderFor>, wide: boolean): PhysicalLine {
  const cut = Math.min(lineBytes, wide ? MAX_LINE_CHARS * 2 : MAX_LINE_BYTES);
  let text = decoder.decode(head.subarray(0, cut));
  let truncated = cut < lineBytes;
  if (text.length > MAX_LINE_CHARS) {
    text = text.slice(0, MAX_LINE_CHARS);
    truncated = true;
  }
  const invalid = text.includes('\uFFFD');
  const hadNul = text.includes('\u0000');
  if (hadNul) text = text.replaceAll('\u0000', '');
  const looks8bit = wide && looksLike8BitText(text);
  return { lineNo, offset, byteLength: lineBytes, text, truncated, invalid, hadNul, looks8bit };
}
