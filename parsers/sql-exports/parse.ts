/**
 * `parseSqlExport(fileName, bytes)`: a SQL export (espy's triage script output as sqlcmd
 * writes it, CSV/TSV with a header row, or FOR JSON output) → typed result sets, each
 * recognised by its columns whatever the file is called. Never throws on bad input:
 * a set espy does not know is an error naming the file and the header line.
 */
import { decodeExport, firstLines, splitLines } from './text.js';
import { delimitedRecords, detectSeparator } from './delimited.js';
import { SQLCMD_SNIFF_LINES, looksLikeSqlcmd, parseSqlcmd } from './sqlcmd.js';
import { parseJsonExport } from './json.js';
import { SQL_EXPORT_KINDS, SQL_EXPORT_SPECS, recogniseColumns, normaliseColumn, type SqlExportKind } from './kinds.js';
import { buildRow, rowTemplate } from './rows.js';
import { MAX_CELL_CHARS, MAX_COLUMNS, MAX_DIAGNOSTICS, MAX_ROWS_PER_SET, SQL_EXPORT_SLICE_ROWS } from './limits.js';
import type { RawRow, RawTable } from './table.js';
import type { SqlExportDiagnosticCode, SqlExportError, SqlExportParseOptions, SqlExportParseResult, SqlExportSet } from './types.js';

/** FOR JSON output through sqlcmd/SSMS comes as one column with this name, cut into rows. */
const FOR_JSON_COLUMN = /^JSON_F52E2B61-18A1-11d1-B105-00805F49916B$/i;

function kindOfLabel(label: string | undefined): SqlExportKind | undefined {
  if (label === undefined) return undefined;
  const k = label
    .replace(/^ESPY:/i, '')
    .trim()
    .toLowerCase();
  return (SQL_EXPORT_KINDS as readonly string[]).includes(k) ? (k as SqlExportKind) : undefined;
}

const EXPECTED = SQL_EXPORT_SPECS.map((s) =>
  s.columns
    .filter((c) => c.required)
    .map((c) => c.column)
    .join(','),
).join(' | ');

class Out {
  readonly result: SqlExportParseResult = { sets: [], diagnostics: [], errors: [] };
  private dropped = 0;
  readonly fileName: string;
  readonly opts: SqlExportParseOptions;
  constructor(fileName: string, opts: SqlExportParseOptions) {
    this.fileName = fileName;
    this.opts = opts;
  }
  diag(code: SqlExportDiagnosticCode, line: number, message: string): void {
    if (this.result.diagnostics.length < MAX_DIAGNOSTICS) this.result.diagnostics.push({ code, fileName: this.fileName, line, message });
    else this.dropped++;
  }
  error(code: SqlExportError['code'], line: number, message: string): void {
    this.result.errors.push({ code, fileName: this.fileName, line, message: `${this.fileName}:${line}: ${message}` });
  }
  finish(): SqlExportParseResult {
    if (this.dropped > 0) this.result.diagnostics.push({ code: 'TOO_MANY_DIAGNOSTICS', fileName: this.fileName, line: 0, message: `${this.dropped} more diagnostics` });
    return this.result;
  }
}

/**
 * Raw table → typed set, or an error naming the file and line. `rows` defaults to the
 * table's own; a large CSV passes them as they are read, so no raw copy of it is kept. Rows
 * past the caller's `keepRows` for the kind are counted, never typed or held.
 */
function* typeTable(t: Omit<RawTable, 'rows'>, rows: Iterable<RawRow>, out: Out): Generator<void, void> {
  const labelled = kindOfLabel(t.label);
  const rec = recogniseColumns(t.columns, labelled);
  if (!rec) {
    if (labelled) {
      out.error('LABEL_MISMATCH', t.line, `section ${t.label} has columns (${t.columns.join(',')}), not those of ${labelled}`);
    } else {
      out.error('UNKNOWN_COLUMNS', t.line, `columns (${t.columns.join(',')}) match no SQL export espy knows (required columns per kind: ${EXPECTED})`);
    }
    return;
  }
  const extra = t.columns.filter((_c, k) => rec.mapping[k] === undefined);
  if (extra.length > 0) out.diag('EXTRA_COLUMNS', t.line, `${rec.spec.kind}: columns not used: ${extra.join(',')}`);
  const typed: unknown[] = [];
  const rowLines: number[] = [];
  let past = 0;
  const template = rowTemplate(rec.spec.columns);
  let pauseAt = SQL_EXPORT_SLICE_ROWS;
  let seen = 0;
  const keep = out.opts.keepRows?.[rec.spec.kind] ?? Infinity;
  let notKept: { count: number; first: unknown; firstLine: number } | undefined;
  for (const r of rows) {
    if (++seen >= pauseAt) {
      pauseAt += SQL_EXPORT_SLICE_ROWS;
      yield;
    }
    if (typed.length >= keep) {
      if (notKept) notKept.count++;
      else notKept = { count: 1, first: buildRow(rec.spec.columns, rec.mapping, r.cells, template).row, firstLine: r.line };
      continue;
    }
    if (typed.length >= MAX_ROWS_PER_SET) {
      past++;
      continue;
    }
    const { row, problems } = buildRow(rec.spec.columns, rec.mapping, r.cells, template);
    for (const p of problems)
      out.diag('CELL_TYPE', r.line, `${p.column}: '${p.value.slice(0, 80)}' is not a ${p.expected}${p.expected === 'date' ? ' in an unambiguous format (kept as written)' : ''}`);
    if (rec.spec.kind === 'agent_job_steps') {
      const step = row as { command: string; commandLength: number | null };
      if (step.commandLength !== null && step.commandLength > step.command.length) {
        out.diag('TRUNCATED_VALUE', r.line, `job step command cut by the export: ${step.command.length} of ${step.commandLength} characters`);
      }
    }
    typed.push(row);
    rowLines.push(r.line);
  }
  if (past > 0) out.error('LIMIT_EXCEEDED', t.line, `more than MAX_ROWS_PER_SET (${MAX_ROWS_PER_SET}) rows; the rest dropped`);
  const set = { kind: rec.spec.kind, format: t.format, fileName: out.fileName, line: t.line, columns: t.columns, rows: typed, rowLines, ...(notKept ? { notKept } : {}) } as SqlExportSet;
  if (t.label !== undefined) set.label = t.label;
  out.result.sets.push(set);
}

function* readSqlcmd(lines: string[], out: Out): Generator<void, void> {
  const p = parseSqlcmd(lines);
  for (const n of p.notes) {
    out.diag(n.kind === 'espy-warning' ? 'ESPY_WARNING' : 'SQL_MESSAGE', n.line, n.label ? `${n.label}: ${n.text}` : n.text);
  }
  for (const b of p.badRows) out.error('BAD_ROW', b.line, b.message);
  for (const l of p.cutRows) out.diag('TRUNCATED_VALUE', l, `cell longer than MAX_CELL_CHARS (${MAX_CELL_CHARS}) cut`);
  if (p.droppedRows > 0) out.error('LIMIT_EXCEEDED', 0, `${p.droppedRows} rows past MAX_ROWS_PER_SET (${MAX_ROWS_PER_SET}) dropped`);
  if (p.isEspyScript && !p.sawEnd)
    out.diag('INCOMPLETE_OUTPUT', lines.length, "espy triage output without its final 'ESPY:end' marker: the script did not run to its end (sections after the last one are missing)");
  for (const t of p.tables) {
    if (t.columns.length === 1 && FOR_JSON_COLUMN.test(t.columns[0] ?? '')) {
      // FOR JSON through sqlcmd: the document is split over rows of about 2 KB.
      const text = t.rows.map((r) => r.cells[0] ?? '').join('');
      const j = parseJsonExport(text, t.rows[0]?.line ?? t.line);
      if (j.error) out.error('BAD_JSON', j.error.line, j.error.message);
      for (const jt of j.tables) {
        const labelled: RawTable = { ...jt, line: t.line, rows: jt.rows.map((r) => ({ ...r, line: t.rows[0]?.line ?? t.line })) };
        if (t.label !== undefined && jt.label === undefined) labelled.label = t.label;
        yield* typeTable(labelled, labelled.rows, out);
      }
      continue;
    }
    yield* typeTable(t, t.rows, out);
  }
}

/** PowerShell 5.1 `Export-Csv` starts with `#TYPE System.Data.DataRow` above the header. */
const PS_TYPE_LINE = /^#TYPE [^\r\n]*(?:\r\n|\n|\r)/;

function* readDelimited(text: string, out: Out): Generator<void, void> {
  const typeLine = PS_TYPE_LINE.exec(text);
  const body = typeLine ? text.slice(typeLine[0].length) : text;
  const firstLine = firstLines(body, Number.MAX_SAFE_INTEGER, (l) => l.trim() !== '')[0] ?? '';
  const sep = detectSeparator(firstLine);
  const shift = typeLine ? 1 : 0;
  const records = delimitedRecords(body, sep);
  const first = records.next();
  if (first.done) return;
  const header = first.value;
  header.line += shift;
  const format = sep === ',' ? 'csv' : sep === '\t' ? 'tsv' : 'delimited';
  const columns = header.cells.map((c) => c.trim());
  if (header.cells.length > MAX_COLUMNS) {
    out.error('LIMIT_EXCEEDED', header.line, `header has ${header.cells.length} columns (MAX_COLUMNS = ${MAX_COLUMNS})`);
    return;
  }
  if (header.cells.length === 1 && !recogniseColumns(columns)) {
    out.error('NOT_AN_EXPORT', header.line, `no header row with separated column names ('${firstLine.slice(0, 60)}')`);
    return;
  }
  function* rows(): Generator<RawRow> {
    for (const r of records) {
      r.line += shift;
      if (r.unterminated) out.error('BAD_ROW', r.line, 'quoted field not closed before the end of the file');
      if (r.cut) out.diag('TRUNCATED_VALUE', r.line, 'cell longer than MAX_CELL_CHARS cut');
      if (r.cells.length !== header.cells.length) {
        out.error('BAD_ROW', r.line, `row has ${r.cells.length} cells, the header ${header.cells.length}`);
        continue;
      }
      // SSMS writes NULL as the text NULL; an empty cell is an empty string.
      yield { line: r.line, cells: r.cells.map((c) => (c === 'NULL' ? null : c)) };
    }
  }
  yield* typeTable({ format, line: header.line, columns }, rows(), out);
}

/** Parses one export file. `fileName` is used in messages only (any name works). */
export function parseSqlExport(fileName: string, bytes: Uint8Array, opts: SqlExportParseOptions = {}): SqlExportParseResult {
  const steps = sqlExportSteps(fileName, bytes, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `parseSqlExport` in steps: pauses (yields) every `SQL_EXPORT_SLICE_ROWS` rows and returns
 * the result when done, so that a caller can stay responsive (Ctrl-C) over a million rows.
 */
export function* sqlExportSteps(fileName: string, bytes: Uint8Array, opts: SqlExportParseOptions = {}): Generator<void, SqlExportParseResult> {
  const out = new Out(fileName, opts);
  const dec = decodeExport(bytes);
  if (dec.fallback) out.diag('ENCODING', 0, 'not valid UTF-8: read as Windows-1252');
  const text = dec.text.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    out.diag('EMPTY_FILE', 0, 'empty export');
    return out.finish();
  }
  const trimmed = text.trimStart();
  // JSON: an object, or an array of objects/arrays (`[name],[dll]` is a bracketed CSV header).
  if (/^(?:\{|\[\s*[[{\]])/.test(trimmed)) {
    const lead = text.length - trimmed.length;
    const firstLine = text.slice(0, lead).split('\n').length;
    const j = parseJsonExport(trimmed, firstLine);
    if (j.error) out.error('BAD_JSON', j.error.line, j.error.message);
    for (const t of j.tables) yield* typeTable(t, t.rows, out);
    return out.finish();
  }
  if (looksLikeSqlcmd(firstLines(text, SQLCMD_SNIFF_LINES))) yield* readSqlcmd(splitLines(text), out);
  else yield* readDelimited(text, out);
  return out.finish();
}

/** Sets of one kind across results (helper for callers). */
export function setsOfKind<K extends SqlExportKind>(sets: readonly SqlExportSet[], kind: K): Extract<SqlExportSet, { kind: K }>[] {
  return sets.filter((s): s is Extract<SqlExportSet, { kind: K }> => s.kind === kind);
}

export { normaliseColumn };
