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
