/**
 * Text files of a Windows host, decoded the one way: an ERRORLOG (UTF-16LE with a BOM on
 * Windows, UTF-8 on Linux), a SQL export (sqlcmd `-u` writes UTF-16LE with a BOM, `-f 65001`
 * UTF-8, SSMS UTF-8 with or without a BOM) or a tool's console output (UTF-16LE or the OEM
 * code page). The byte-order mark decides; without one, ASCII text in UTF-16LE shows a NUL at
 * nearly every odd position, which UTF-8 text never has.
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface SniffedEncoding {
  encoding: TextEncoding;
  /** Length of the byte-order mark to skip (0 when there is none). */
  bomBytes: number;
}

/** Byte pairs looked at for the NUL pattern of BOM-less UTF-16LE; enough bytes to pass to `sniffEncoding`. */
export const SNIFF_PAIRS = 64;
export const SNIFF_BYTES = SNIFF_PAIRS * 2;
/** Fewer pairs than this prove nothing: such a head is read as UTF-8. */
const MIN_SNIFF_PAIRS = 4;
/** Share of pairs whose high byte is NUL (and low byte is not) that makes a head UTF-16LE. */
const UTF16_ODD_NUL_SHARE = 0.75;
const UTF16_EVEN_NUL_SHARE = 0.25;

/** The encoding of a text from its first bytes (SNIFF_BYTES are enough). */
export function sniffEncoding(head: Uint8Array): SniffedEncoding {
  const b0 = head[0];
  const b1 = head[1];
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  if (b0 === 0xef && b1 === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  const pairs = Math.min(SNIFF_PAIRS, Math.floor(head.length / 2));
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNul++;
    if (head[2 * i + 1] === 0) oddNul++;
  }
  const utf16 = pairs >= MIN_SNIFF_PAIRS && oddNul >= pairs * UTF16_ODD_NUL_SHARE && evenNul < pairs * UTF16_EVEN_NUL_SHARE;
  return { encoding: utf16 ? 'utf-16le' : 'utf-8', bomBytes: 0 };
}

/** One shared decoder per encoding (a decoder without `stream` keeps no state between calls). */
const DECODERS = {
  'utf-8': new TextDecoder('utf-8'),
  'utf-16le': new TextDecoder('utf-16le'),
  'utf-16be': new TextDecoder('utf-16be'),
} as const;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

/** The shared, non-streaming decoder of an encoding. */
export function decoderFor(encoding: TextEncoding): (typeof DECODERS)[TextEncoding] {
  return DECODERS[encoding];
}

/**
 * Windows-1252 bytes 0x80–0x9F (the WHATWG table; 0x81, 0x8D, 0x8F, 0x90, 0x9D stay C1
 * controls). Node's 'windows-1252' decoder reads them as ISO-8859-1 C1 controls, so `€`
 * (0x80) would come out as U+0080: the other bytes are Latin-1 in both.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeWindows1252(bytes: Uint8Array): string {
  return LATIN1.decode(bytes).replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

export interface DecodedText {
  text: string;
  encoding: TextEncoding | 'windows-1252';
  /** The text began with a byte-order mark (not part of `text`). */
  bom: boolean;
  /** Set when the bytes were not valid UTF-8 and were re-read as Windows-1252. */
  fallback: boolean;
}

export interface DecodeOptions {
  /**
   * What invalid UTF-8 becomes: U+FFFD (`replace`, the default) or the whole text re-read as
   * Windows-1252, the usual western code page of a console or an export (`windows-1252`).
   */
  invalidUtf8?: 'replace' | 'windows-1252';
}

/** Decodes a whole text file; never throws. */
export function decodeText(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedText {
  const { encoding, bomBytes } = sniffEncoding(bytes);
  const body = bytes.subarray(bomBytes);
  const bom = bomBytes > 0;
  if (encoding !== 'utf-8' || opts.invalidUtf8 !== 'windows-1252') return { text: DECODERS[encoding].decode(body), encoding, bom, fallback: false };
  try {
    return { text: STRICT_UTF8.decode(body), encoding, bom, fallback: false };
  } catch {
    return { text: decodeWindows1252(body), encoding: 'windows-1252', bom, fallback: true };
  }
}
