/**
 * RFC 4180 CSV with spreadsheet formula-injection neutralised (OWASP "CSV Injection"):
 * a text cell starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` so Excel,
 * LibreOffice and Timeline Explorer show it as text instead of evaluating it. Numbers are
 * written as numbers (a negative number is data, not a formula).
 */

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised, then quoted when it holds `"`, `,`, CR or LF (RFC 4180 §2.6–2.7). */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole CSV document: header row, then rows; CRLF line ends (RFC 4180 §2.1), final CRLF. */
export function renderCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const out: string[] = [header.map(csvCell).join(',')];
  for (const r of rows) out.push(r.map(csvCell).join(','));
  return `${out.join('\r\n')}\r\n`;
}
