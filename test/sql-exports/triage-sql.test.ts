// The triage script: its result columns are the parser's, it is read-only, and its output
// format (as sqlcmd writes it) reads back through parseSqlExport.
import { describe, expect, it } from 'vitest';
import { TRIAGE_SECTIONS, TRIAGE_SQL, sectionSql, SQLCMD_COMMAND_LINE } from '../../collector/sql/triage-sql.js';
import { SQL_EXPORT_SPECS, parseSqlExport } from '../../parsers/sql-exports/index.js';

/** Output column aliases of the last SELECT of a section (`... AS alias,` / before FROM / `;`). */
function aliasesOf(sql: string): string[] {
  const last = sql.slice(sql.lastIndexOf('SELECT '));
  const list = last.split(/\nFROM |\sFROM (?=[#\w])/)[0] ?? '';
  return [...list.matchAll(/\sAS\s+(\w+)\s*(?=,|;|$)/g)].map((m) => m[1] ?? '');
}

describe('triage script', () => {
  it('every section returns exactly the columns of its export kind, in order', () => {
    expect(TRIAGE_SECTIONS.map((s) => s.kind)).toEqual(SQL_EXPORT_SPECS.map((s) => s.kind));
    for (const s of TRIAGE_SECTIONS) expect(aliasesOf(sectionSql(s.kind)), s.kind).toEqual([...s.columns]);
  });

  it('the five sets the sample hosts export as CSV have the same column names', () => {
    const cols = (k: string): string => TRIAGE_SECTIONS.find((s) => s.kind === k)?.columns.join(',') ?? '';
    expect(cols('extended_procedures')).toBe('name,dll_name,create_date,modify_date,is_ms_shipped');
    expect(cols('server_principals')).toBe('name,type_desc,create_date,modify_date,is_disabled');
    expect(cols('role_members')).toBe('role_name,member_name,member_type_desc');
    expect(cols('configurations')).toBe('name,value,value_in_use');
    expect(cols('server_info')).toBe('server_name,product_version,edition,errorlog_path,utc_offset_minutes');
  });

  it('labels each section in its own batch, ends with ESPY:end', () => {
    const markers = [...TRIAGE_SQL.matchAll(/^SELECT '(ESPY:\w+)' AS espy_section;\nGO$/gm)].map((m) => m[1]);
    expect(markers).toEqual([...TRIAGE_SECTIONS.map((s) => s.label), 'ESPY:end']);
    expect(TRIAGE_SQL).toMatch(/^SET NOCOUNT ON;$/m);
    expect(TRIAGE_SQL).toContain(SQLCMD_COMMAND_LINE);
  });

  it('is read-only: no DML/DDL outside its temp table, no extended procedure calls, no configuration change', () => {
    const code = TRIAGE_SQL.split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n');
    expect(code).not.toMatch(/\b(UPDATE|DELETE|MERGE|ALTER|GRANT|REVOKE|DENY|TRUNCATE|RECONFIGURE|sp_configure|xp_\w+|BACKUP|RESTORE|SHUTDOWN|KILL)\b/i);
    const writes = [...code.matchAll(/\b(INSERT INTO|CREATE TABLE|DROP TABLE|SELECT\s.*\sINTO)\s+([#\w.[\]]+)/gi)].map((m) => m[2]);
    expect(writes.length).toBe(4);
    expect(new Set(writes)).toEqual(new Set(['#espy_clr']));
    expect([...code.matchAll(/\bEXEC(?:UTE)?\s+(\S+)/gi)].map((m) => m[1])).toEqual(['master.sys.sp_executesql']);
  });

  it('uses only features of SQL Server 2008 R2 (no FOR JSON, STRING_AGG, TRY_CONVERT, CONCAT, IIF, FORMAT, DROP ... IF EXISTS)', () => {
    expect(TRIAGE_SQL).not.toMatch(/FOR JSON|STRING_AGG|TRY_CONVERT|TRY_CAST|\bCONCAT\(|\bIIF\(|\bFORMAT\(|DROP TABLE IF EXISTS|STRING_SPLIT/i);
  });

  it('output in the documented sqlcmd format reads back, labelled, with the escaping undone', () => {
    // What `sqlcmd -s "|" -W` prints for the script: marker set, blank line, data set, ...
    const esc = (v: string): string => v.replaceAll('%', '%25').replaceAll('|', '%7C').replaceAll('\r', '%0D').replaceAll('\n', '%0A').replaceAll('\t', '%09');
    const sample = (col: string, k: number): string =>
      /date|_at_/.test(col) ? '2024-03-02T10:17:58.203' : /^(is_|enabled)/.test(col) ? '0' : /(value|minutes|_id$|length)/.test(col) && col !== 'job_id' ? String(k) : esc(`${col} %|\t\r\nx`);
    const out: string[] = [];
    for (const s of TRIAGE_SECTIONS) {
      out.push('espy_section', '------------', s.label, '');
      out.push(s.columns.join('|'), s.columns.map((c) => '-'.repeat(c.length)).join('|'));
      out.push(s.columns.map((c) => sample(c, 1)).join('|'), '');
    }
    out.push('espy_section', '------------', 'ESPY:end', '');
    const r = parseSqlExport('espy-sql.txt', new TextEncoder().encode(out.join('\r\n')));
    expect(r.errors).toEqual([]);
    expect(r.diagnostics).toEqual([]);
    expect(r.sets.map((s) => s.label)).toEqual(TRIAGE_SECTIONS.map((s) => s.label));
    const esp = r.sets.find((s) => s.kind === 'extended_procedures');
    expect(esp?.rows[0]).toMatchObject({ name: 'name %|\t\r\nx', dllName: 'dll_name %|\t\r\nx', isMsShipped: false });
  });
});
