/**
 * CSV as SSMS "Save Results As" / Export-Csv write it for our SQL exports: header row,
 * comma-separated, RFC 4180 quoting (a field is quoted when it holds a comma, a quote or a
 * line break; quotes doubled), CRLF line ends, UTF-8 without BOM.
 */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function renderCsv(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): Uint8Array {
  const lines = [columns.map(field).join(',')];
  for (const r of rows) {
    if (r.length !== columns.length) throw new Error(`CSV row has ${r.length} fields, expected ${columns.length}`);
    lines.push(r.map((v) => field(String(v))).join(','));
  }
  return new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
}
