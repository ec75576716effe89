/**
 * CSV / TSV (RFC 4180): fields separated by one character, optionally quoted with `"`
 * (`""` inside quotes is one quote; quoted fields may hold separators and line breaks).
 * Every record keeps its 1-based line number. Linear, one pass, no backtracking.
 */
import { MAX_CELL_CHARS } from './limits.js';

export interface DelimitedRecord {
  line: number;
  cells: string[];
  /** A quoted field was still open at the end of the text. */
  unterminated?: boolean;
  /** A cell was longer than MAX_CELL_CHARS and was cut. */
  cut?: boolean;
}

/** Picks the separator from the header line: tab, comma, semicolon or pipe (most frequent outside quotes). */
export function detectSeparator(headerLine: string): string {
  const counts = new Map<string, number>([
    ['\t', 0],
    [',', 0],
    [';', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let n = 0;
  for (const [sep, c] of counts) {
    if (c > n) {
      best = sep;
      n = c;
    }
  }
  return best;
}

export function parseDelimited(text: string, sep: string): DelimitedRecord[] {
  const out: DelimitedRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const rec: DelimitedRecord = { line, cells: [] };
    let cell = '';
    let quoted = false;
    let atCellStart = true;
    let done = false;
    while (i < n && !done) {
      const ch = text[i] as string;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
          continue;
        }
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        if (cell.length < MAX_CELL_CHARS) cell += ch;
        else rec.cut = true;
        i++;
        continue;
      }
      if (ch === '"' && atCellStart) {
        quoted = true;
        atCellStart = false;
        i++;
        continue;
      }
      if (ch === sep) {
        rec.cells.push(cell);
        cell = '';
        atCellStart = true;
        i++;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        done = true;
        continue;
      }
      if (cell.length < MAX_CELL_CHARS) cell += ch;
      else rec.cut = true;
      atCellStart = false;
      i++;
    }
    if (quoted) rec.unterminated = true;
    rec.cells.push(cell);
    // Skip blank lines (a lone empty cell).
    if (!(rec.cells.length === 1 && rec.cells[0] === '' && !rec.unterminated)) out.push(rec);
  }
  return out;
}
