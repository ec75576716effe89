/**
 * Export bytes → text lines. sqlcmd writes UTF-16LE with a BOM with `-u`, UTF-8 with
 * `-f 65001`, and the console code page otherwise; SSMS writes UTF-8 (with or without BOM).
 * Invalid UTF-8 is re-read as Windows-1252 (the usual western code page), with a diagnostic.
 */
import { decodeText, type DecodedText } from '../common/text.js';

export function decodeExport(bytes: Uint8Array): DecodedText {
  return decodeText(bytes, { invalidUtf8: 'windows-1252' });
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
