// espy's triage output as sqlcmd writes it, and plain sqlcmd output (hand-written fixtures
// following sqlcmd's format: header row, dashes row, `(N rows affected)`, `Msg` errors).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSqlExport, setsOfKind } from '../../parsers/sql-exports/index.js';

const FIX = join(import.meta.dirname, 'fixtures');
const read = (f: string): Uint8Array => new Uint8Array(readFileSync(join(FIX, f)));

describe('espy triage output (sqlcmd -s "|" -W)', () => {
  const r = parseSqlExport('espy-sql.txt', read('espy-sql-maggie.txt'));

  it('reads every labelled section, no errors', () => {
    expect(r.errors).toEqual([]);
    expect(r.sets.map((s) => [s.kind, s.label, s.format, s.rows.length])).toEqual([
      ['run_info', 'ESPY:run_info', 'sqlcmd', 1],
      ['server_info', 'ESPY:server_info', 'sqlcmd', 1],
      ['extended_procedures', 'ESPY:extended_procedures', 'sqlcmd', 4],
      ['server_principals', 'ESPY:server_principals', 'sqlcmd', 3],
      ['role_members', 'ESPY:role_members', 'sqlcmd', 2],
      ['configurations', 'ESPY:configurations', 'sqlcmd', 4],
      ['startup_procedures', 'ESPY:startup_procedures', 'sqlcmd', 1],
      ['agent_job_steps', 'ESPY:agent_job_steps', 'sqlcmd', 2],
      ['clr_assemblies', 'ESPY:clr_assemblies', 'sqlcmd', 1],
      ['server_triggers', 'ESPY:server_triggers', 'sqlcmd', 0],
    ]);
  });

  it('types the rows and decodes the percent-encoded cells', () => {
    const [esp] = setsOfKind(r.sets, 'extended_procedures');
    expect(esp?.rows[0]).toEqual({ name: 'maggie', dllName: 'C:\\ProgramData\\maggie.dll', createDate: '2024-03-02T10:17:58.203', modifyDate: '2024-03-02T10:17:58.203', isMsShipped: false });
    expect(esp?.rows[1]).toMatchObject({ name: 'xp_odd|name', dllName: 'C:\\Temp\\a%b.dll', createDate: '2024-03-02T10:30:00' });
    expect(esp?.rowLines).toEqual([23, 24, 25, 26]);
    expect(esp?.line).toBe(21);
    const [info] = setsOfKind(r.sets, 'server_info');
    expect(info?.rows[0]).toEqual({
      serverName: 'DB01\\SQLPROD',
      productVersion: '15.0.4322.2',
      edition: 'Enterprise Edition (64-bit)',
      errorlogPath: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.SQLPROD\\MSSQL\\Log\\ERRORLOG',
      utcOffsetMinutes: -480,
    });
    const [startup] = setsOfKind(r.sets, 'startup_procedures');
    expect(startup?.rows[0]?.definition).toBe("CREATE PROCEDURE dbo.sp_maggie_start AS\r\nBEGIN\r\n\tEXEC master..maggie 'Start'\r\nEND");
    const [steps] = setsOfKind(r.sets, 'agent_job_steps');
    expect(steps?.rows[0]).toMatchObject({ databaseName: null, command: 'powershell -c "Get-Process | Out-File C:\\x.txt"', commandLength: 46 });
    const [cfg] = setsOfKind(r.sets, 'configurations');
    expect(cfg?.rows.find((c) => c.name === 'xp_cmdshell')).toEqual({ name: 'xp_cmdshell', value: 1, valueInUse: 1 });
    const [members] = setsOfKind(r.sets, 'role_members');
    expect(members?.rows.map((m) => `${m.roleName}:${m.memberName}`)).toEqual(['sysadmin:sa', 'sysadmin:svc_backup2']);
  });

  it('reports SQL errors under their section, espy warnings and cut values', () => {
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['SQL_MESSAGE', 69],
      ['ESPY_WARNING', 84],
      ['TRUNCATED_VALUE', 79],
    ]);
    expect(r.diagnostics[0]?.message).toMatch(/^ESPY:agent_jobs: Msg 229, Level 14, State 5, .*SELECT permission was denied/);
  });

  it('output cut before ESPY:end is reported as incomplete', () => {
    const text = readFileSync(join(FIX, 'espy-sql-maggie.txt'), 'utf8');
    const cut = text.slice(0, text.indexOf('ESPY:role_members'));
    const c = parseSqlExport('cut.txt', new TextEncoder().encode(cut));
    expect(c.diagnostics.map((d) => d.code)).toContain('INCOMPLETE_OUTPUT');
    expect(c.sets.map((s) => s.kind)).toEqual(['run_info', 'server_info', 'extended_procedures', 'server_principals']);
  });

  it('the same output as UTF-16LE (sqlcmd -u) and with CRLF line ends', () => {
    const text = readFileSync(join(FIX, 'espy-sql-maggie.txt'), 'utf8').replaceAll('\n', '\r\n');
    const u = parseSqlExport('u.txt', new Uint8Array(Buffer.from(`\uFEFF${text}`, 'utf16le')));
    expect(u.sets).toEqual(r.sets.map((s) => ({ ...s, fileName: 'u.txt' })));
  });
});

describe('plain sqlcmd output', () => {
  const r = parseSqlExport('plain.txt', read('sqlcmd-plain.txt'));

  it('fixed-width columns (no -s), rows-affected lines in several wordings, Msg errors', () => {
    expect(r.sets.map((s) => [s.kind, s.label, s.rows.length])).toEqual([
      ['extended_procedures', undefined, 2],
      ['server_principals', undefined, 1],
    ]);
    expect(setsOfKind(r.sets, 'extended_procedures')[0]?.rows[0]).toEqual({ name: 'maggie', dllName: 'C:\\ProgramData\\maggie.dll', createDate: null, modifyDate: null, isMsShipped: null });
    expect(setsOfKind(r.sets, 'server_principals')[0]?.rows[0]?.createDate).toBe('2003-04-08T09:10:35.460');
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['SQL_MESSAGE', 1],
      ['SQL_MESSAGE', 14],
    ]);
  });

  it('sqlcmd -W without -s (space-separated, trimmed) is refused row by row, never split loosely', () => {
    const text = 'name dll\n---- ---\nmaggie C:\\ProgramData\\maggie.dll\nxp_a b.dll\n';
    const w = parseSqlExport('w.txt', new TextEncoder().encode(text));
    expect(w.errors.map((e) => [e.code, e.line])).toEqual([['BAD_ROW', 3]]);
    expect(w.errors[0]?.message).toMatch(/use -s/);
    // A row that happens to line up with the columns is read exactly.
    expect(setsOfKind(w.sets, 'extended_procedures')[0]?.rows.map((x) => [x.name, x.dllName])).toEqual([['xp_a', 'b.dll']]);
  });

  it('a bad row and an unknown set are errors naming the file and the line', () => {
    expect(r.errors.map((e) => [e.code, e.line])).toEqual([
      ['BAD_ROW', 11],
      ['UNKNOWN_COLUMNS', 16],
    ]);
    expect(r.errors[1]?.message).toMatch(/^plain\.txt:16: columns \(foo,bar\) match no SQL export/);
  });
});
