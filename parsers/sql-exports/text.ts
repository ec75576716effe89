/**
 * Export bytes → text lines. sqlcmd writes UTF-16LE with a BOM with `-u`, UTF-8 with
 * `-f 65001`, and the console code page otherwise; SSMS writes UTF-8 (with or without BOM).
 * Invalid UTF-8 is re-read as Windows-1252 (the usual western code page), with a diagnostic.
 */

export interface DecodedText {
  text: string;
  encoding: 'utf-16le' | 'utf-16be' | 'utf-8' | 'windows-1252';
  /** Set when the bytes were not valid in the detected encoding. */
  fallback: boolean;
}

export function decodeExport(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le', fallback: false };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be', fallback: false };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  // UTF-16LE without BOM: NULs at odd positions.
  if (body.length >= 4 && body[1] === 0 && body[3] === 0 && body[0] !== 0) {
    return { text: new TextDecoder('utf-16le').decode(body), encoding: 'utf-16le', fallback: false };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8', fallback: false };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(body), encoding: 'windows-1252', fallback: true };
  }
}

/** Splits on CRLF/LF/CR. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The first `max` lines of `text` that pass `keep` (all lines by default), split as
 * `splitLines` does, without splitting the rest of the text.
 */
export function firstLines(text: string, max: number, keep: (line: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const re = /\r\n|\n|\r/g;
  let from = 0;
  while (out.length < max && from < text.length) {
    const m = re.exec(text);
    const to = m ? m.index : text.length;
    const line = text.slice(from, to);
    if (keep(line)) out.push(line);
    if (!m) break;
    from = re.lastIndex;
  }
  return out;
}
