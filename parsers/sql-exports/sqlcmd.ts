/**
 * sqlcmd text output → tables. What sqlcmd writes for each result set:
 *
 *   name|dll_name|create_date|modify_date|is_ms_shipped      ← header (column names)
 *   ----|--------|-----------|-----------|-------------      ← dashes, joined by the separator
 *   maggie|C:\ProgramData\maggie.dll|2024-03-02T10:18:00.000|...|0
 *                                                              ← blank line
 *   (1 rows affected)                                          ← unless SET NOCOUNT ON
 *
 * With `-W` cells are trimmed; without it they are padded to the column width (trimmed
 * here). Without `-s` the separator is a space and columns are fixed-width: the dash runs
 * give the column positions. NULL prints as `NULL`. Errors print as
 * `Msg 208, Level 16, State 1, Server X, Line 3` followed by the message line.
 *
 * espy's triage script (collector/sql/triage-sql.ts) labels each set with a one-row set
 * `espy_section` = `ESPY:<kind>`, and percent-encodes `%`, `|`, CR, LF and TAB inside text
 * values so a row is always one line with the right number of cells; those are decoded here
 * when the output carries espy's markers.
 */
import type { RawTable } from './table.js';
import { MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS_PER_SET } from './limits.js';

export const ESPY_SECTION_COLUMN = 'espy_section';
const MSG_LINE = /^Msg \d+, Level \d+, State \d+(?:, (?:Server|Procedure|Line) .*)?$/;
const ROWS_AFFECTED = /^\(\d+ [\p{L}()]+(?: [\p{L}()]+){0,3}\)$/u;
const ESPY_WARNING = /^ESPY:warning\b ?(.*)$/;
const SQLCMD_ERROR = /^(?:Sqlcmd|HResult 0x[0-9A-F]+)\b/i;

export interface SqlcmdNote {
  kind: 'sql-message' | 'espy-warning';
  line: number;
  text: string;
  /** The section being read when the message came. */
  label?: string;
}

export interface SqlcmdParse {
  tables: RawTable[];
  notes: SqlcmdNote[];
  badRows: { line: number; message: string }[];
  /** The output carries espy's section markers (cells are percent-encoded). */
  isEspyScript: boolean;
  /** The `ESPY:end` marker was seen (the script ran to its end). */
  sawEnd: boolean;
  /** Lines of rows with a cell cut at MAX_CELL_CHARS. */
  cutRows: number[];
  /** Rows dropped past MAX_ROWS_PER_SET. */
  droppedRows: number;
}

interface Layout {
  sep: string;
  /** Fixed-width: [start, end) of each column. */
  spans?: [number, number][];
  count: number;
}

/** Is `line` a dashes line, and how are its columns laid out? */
export function dashLayout(raw: string | undefined): Layout | undefined {
  if (raw === undefined) return undefined;
  const line = raw.trimEnd();
  if (!line.startsWith('-')) return undefined;
  const others = new Set(line.replace(/-+/g, ''));
  if (others.size === 0) return { sep: '\u0000', count: 1 }; // one column
  if (others.size > 1) return undefined;
  const sep = [...others][0] as string;
  if (/[\w"']/.test(sep)) return undefined;
  if (sep === ' ') {
    const spans: [number, number][] = [];
    for (const r of line.matchAll(/-+/g)) spans.push([r.index, r.index + r[0].length]);
    return { sep: ' ', spans, count: spans.length };
  }
  // Every column has at least one dash: no empty segment.
  const parts = line.split(sep);
  if (parts.some((p) => p === '')) return undefined;
  return { sep, count: parts.length };
}

/**
 * Fixed-width rows have a space just before every column start. Output of `-W` without `-s`
 * (space-separated, trimmed) does not, and cannot be split safely: such a row is refused.
 */
function fitsSpans(line: string, spans: readonly [number, number][]): boolean {
  return spans.every(([start]) => start === 0 || start > line.length || line[start - 1] === ' ');
}

function splitRow(line: string, layout: Layout): string[] | undefined {
  if (layout.spans) {
    if (!fitsSpans(line, layout.spans)) return undefined;
    // Fixed width: each column from its start to the next column's start; the last takes the rest.
    return layout.spans.map(([start], k) => {
      const next = layout.spans?.[k + 1]?.[0] ?? line.length + 1;
      return line.slice(start, Math.max(start, next - 1)).trim();
    });
  }
  // Separated cells: sqlcmd pads on the right (without -W); leading spaces are data.
  return line.split(layout.sep).map((c) => c.trimEnd());
}

const PCT = /%(25|7C|0D|0A|09)/gi;
const PCT_CHAR: Record<string, string> = { '25': '%', '7C': '|', '0D': '\r', '0A': '\n', '09': '\t' };
/** Undoes the triage script's percent-encoding (exactly the five sequences it writes). */
export function decodeEspyCell(s: string): string {
  return s.replace(PCT, (_m, h: string) => PCT_CHAR[h.toUpperCase()] ?? _m);
}

/** Lines `looksLikeSqlcmd` looks at: a header and its dashes within the first ones. */
export const SQLCMD_SNIFF_LINES = 201;

/** True when the text looks like sqlcmd output (a header followed by a dashes line). */
export function looksLikeSqlcmd(lines: readonly string[]): boolean {
  for (let i = 0; i + 1 < lines.length && i + 1 < SQLCMD_SNIFF_LINES; i++) {
    const lay = dashLayout(lines[i + 1]);
    if (lay && (lines[i] ?? '').trim() !== '' && headerFits(lines[i] ?? '', lay)) return true;
  }
  return false;
}

function headerFits(header: string, lay: Layout): boolean {
  if (lay.spans) return header.trim().length > 0;
  return header.split(lay.sep).length === lay.count;
}

export function parseSqlcmd(lines: readonly string[]): SqlcmdParse {
  const tables: RawTable[] = [];
  const notes: SqlcmdNote[] = [];
  const badRows: { line: number; message: string }[] = [];
  const isEspyScript = lines.some((l, k) => l.trim() === ESPY_SECTION_COLUMN && dashLayout(lines[k + 1]) !== undefined);
  let label: string | undefined;
  let sawEnd = false;
  const cutRows: number[] = [];
  let droppedRows = 0;
  let i = 0;
  while (i < lines.length) {
    const start = i;
    const l = lines[i] ?? '';
    const lay = dashLayout(lines[i + 1]);
    if (l.trim() !== '' && lay && headerFits(l, lay) && lay.count <= MAX_COLUMNS) {
      const columns = splitRow(l, lay) ?? l.trim().split(/\s+/);
      const table: RawTable = { format: 'sqlcmd', line: i + 1, columns, rows: [] };
      i += 2;
      while (i < lines.length) {
        const row = lines[i] ?? '';
        if (row.trim() === '' || ROWS_AFFECTED.test(row.trim()) || MSG_LINE.test(row) || ESPY_WARNING.test(row)) break;
        // A new result set starts where a line is followed by its dashes line.
        const nextLay = dashLayout(lines[i + 1]);
        if (nextLay && headerFits(row, nextLay)) break;
        const cells = splitRow(row, lay);
        if (cells === undefined) {
          badRows.push({ line: i + 1, message: 'row does not line up with the fixed-width columns (sqlcmd -W without -s cannot be split; use -s "|")' });
        } else if (cells.length !== columns.length) {
          badRows.push({ line: i + 1, message: `row has ${cells.length} cells, the header ${columns.length}` });
        } else if (table.rows.length < MAX_ROWS_PER_SET) {
          if (cells.some((c) => c.length > MAX_CELL_CHARS)) cutRows.push(i + 1);
          const kept = cells.map((c) => (c.length > MAX_CELL_CHARS ? c.slice(0, MAX_CELL_CHARS) : c));
          table.rows.push({ line: i + 1, cells: kept.map((c) => (c === 'NULL' ? null : isEspyScript ? decodeEspyCell(c) : c)) });
        } else {
          droppedRows++;
        }
        i++;
      }
      if (columns.length === 1 && (columns[0] ?? '').toLowerCase() === ESPY_SECTION_COLUMN) {
        label = table.rows[0]?.cells[0] ?? undefined;
        if (label === 'ESPY:end') sawEnd = true;
      } else {
        if (label !== undefined) table.label = label;
        label = undefined;
        tables.push(table);
      }
      continue;
    }
    const t = l.trim();
    if (MSG_LINE.test(t)) {
      const text = `${t}: ${(lines[i + 1] ?? '').trim()}`;
      notes.push(label === undefined ? { kind: 'sql-message', line: i + 1, text } : { kind: 'sql-message', line: i + 1, text, label });
      i += 2;
      continue;
    }
    const w = ESPY_WARNING.exec(t);
    if (w) {
      notes.push(label === undefined ? { kind: 'espy-warning', line: i + 1, text: w[1] ?? '' } : { kind: 'espy-warning', line: i + 1, text: w[1] ?? '', label });
    } else if (SQLCMD_ERROR.test(t)) {
      notes.push({ kind: 'sql-message', line: i + 1, text: t });
    } else if (t !== '' && !ROWS_AFFECTED.test(t)) {
      // Informational output (PRINT, "Changed database context to ..."): kept as a note.
      notes.push({ kind: 'sql-message', line: i + 1, text: t });
    }
    i = Math.max(i + 1, start + 1);
  }
  return { tables, notes, badRows, isEspyScript, sawEnd, cutRows, droppedRows };
}
