/**
 * FOR JSON output → tables. Accepted shapes:
 *   - `[ {row}, {row}, ... ]` (FOR JSON PATH/AUTO): one set; FOR JSON leaves NULL columns
 *     out of an object, so the columns are the union of the keys in order of appearance;
 *   - `{ "extended_procedures": [ ... ], "server_principals": [ ... ] }`: one set per key,
 *     labelled by the key when it names an export kind;
 *   - one flat object: a one-row set.
 * Each object keeps the line it starts on.
 */
import type { RawTable } from './table.js';
import { MAX_JSON_DEPTH } from './limits.js';

export interface JsonParse {
  tables: RawTable[];
  error?: { line: number; message: string };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Lines of every `{` at `depth` (1 = elements of the top array / values of the top object). */
function objectStartLines(text: string): { lines: Map<number, number[]>; maxDepth: number; endLine: number } {
  const lines = new Map<number, number[]>();
  let depth = 0;
  let maxDepth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (c === 123) {
        const at = lines.get(depth) ?? [];
        at.push(line);
        lines.set(depth, at);
      }
      depth++;
      if (depth > maxDepth) maxDepth = depth;
      if (depth > MAX_JSON_DEPTH) break;
    } else if (c === 125 || c === 93) depth--;
  }
  return { lines, maxDepth, endLine: line };
}

function cellOf(v: Json | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function isRow(v: Json): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function tableOf(rows: { [k: string]: Json }[], line: number, rowLines: readonly number[], label?: string): RawTable {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      cols.push(k);
    }
  }
  const t: RawTable = {
    format: 'json',
    line,
    columns: cols,
    rows: rows.map((r, k) => ({ line: rowLines[k] ?? line, cells: cols.map((c) => cellOf(r[c])) })),
  };
  if (label !== undefined) t.label = label;
  return t;
}

/** Line of a JSON.parse error message's `position N`, if V8 gives one. */
function errorLine(text: string, message: string): number {
  const m = /position (\d+)/.exec(message);
  if (!m) return 1;
  return text.slice(0, Number(m[1])).split('\n').length;
}

export function parseJsonExport(text: string, firstLine = 1): JsonParse {
  const scan = objectStartLines(text);
  if (scan.maxDepth > MAX_JSON_DEPTH) return { tables: [], error: { line: firstLine, message: `JSON nested deeper than MAX_JSON_DEPTH (${MAX_JSON_DEPTH})` } };
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { tables: [], error: { line: firstLine - 1 + errorLine(text, msg), message: `not valid JSON: ${msg}` } };
  }
  const at = (depth: number): number[] => (scan.lines.get(depth) ?? []).map((l) => l + firstLine - 1);
  if (Array.isArray(doc)) {
    const rows = doc.filter(isRow);
    if (rows.length !== doc.length) return { tables: [], error: { line: firstLine, message: 'JSON array elements are not all objects' } };
    return { tables: [tableOf(rows, firstLine, at(1))] };
  }
  if (isRow(doc)) {
    const entries = Object.entries(doc);
    const arrays = entries.filter(([, v]) => Array.isArray(v));
    if (arrays.length > 0 && arrays.length === entries.length) {
      const tables: RawTable[] = [];
      const lines2 = at(2);
      let used = 0;
      for (const [key, v] of arrays) {
        const arr = v as Json[];
        const rows = arr.filter(isRow);
        if (rows.length !== arr.length) return { tables: [], error: { line: firstLine, message: `JSON "${key}" holds values that are not objects` } };
        const rowLines = lines2.slice(used, used + rows.length);
        used += rows.length;
        tables.push(tableOf(rows, rowLines[0] ?? firstLine, rowLines, key));
      }
      return { tables };
    }
    return { tables: [tableOf([doc], firstLine, [firstLine])] };
  }
  return { tables: [], error: { line: firstLine, message: 'JSON is neither an array of rows nor an object' } };
}
