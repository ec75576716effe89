// CSV, TSV and FOR JSON exports, recognised by their columns whatever the file is called.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSqlExport, setsOfKind, type SqlExportParseResult } from '../../parsers/sql-exports/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const kinds = (r: SqlExportParseResult): string[] => r.sets.map((s) => s.kind);

describe('the five CSV column sets of the sample hosts', () => {
  it.each([
    ['name,dll_name,create_date,modify_date,is_ms_shipped\nmaggie,C:\\ProgramData\\maggie.dll,2024-03-02 10:17:58.203,2024-03-02 10:17:58.203,0\n', 'extended_procedures'],
    ['name,type_desc,create_date,modify_date,is_disabled\nsvc_backup2,SQL_LOGIN,2024-03-02 10:25:13.450,2024-03-02 10:25:13.450,0\n', 'server_principals'],
    ['role_name,member_name,member_type_desc\nsysadmin,svc_backup2,SQL_LOGIN\n', 'role_members'],
    ['name,value,value_in_use\nxp_cmdshell,1,1\n', 'configurations'],
    ['server_name,product_version,edition,errorlog_path,utc_offset_minutes\nDB01\\SQLPROD,15.0.4322.2,Enterprise Edition (64-bit),C:\\x\\ERRORLOG,-480\n', 'server_info'],
  ])('%#: recognised whatever the file name', (csv, kind) => {
    const r = parseSqlExport('export-17.csv', enc(csv));
    expect(r.errors).toEqual([]);
    expect(r.diagnostics).toEqual([]);
    expect(kinds(r)).toEqual([kind]);
    expect(r.sets[0]?.format).toBe('csv');
    expect(r.sets[0]?.rows).toHaveLength(1);
    expect(r.sets[0]?.rowLines).toEqual([2]);
  });

  it('types values (booleans, numbers, dates kept in server local time)', () => {
    const r = parseSqlExport('e.csv', enc('name,dll_name,create_date,modify_date,is_ms_shipped\nmaggie,C:\\ProgramData\\maggie.dll,2024-03-02 10:17:58.203,2024-03-02T10:17:58,False\n'));
    expect(setsOfKind(r.sets, 'extended_procedures')[0]?.rows[0]).toEqual({
      name: 'maggie',
      dllName: 'C:\\ProgramData\\maggie.dll',
      createDate: '2024-03-02T10:17:58.203',
      modifyDate: '2024-03-02T10:17:58',
      isMsShipped: false,
    });
  });
});

describe('variants', () => {
  it('sp_helpextendedproc (name,dll), column case, quotes, brackets, BOM, CRLF', () => {
    const r = parseSqlExport('x.csv', enc('\uFEFF"Name","DLL"\r\n"maggie","C:\\ProgramData\\maggie.dll"\r\n"xp_a, with comma","x ""q"".dll"\r\n'));
    expect(r.errors).toEqual([]);
    const [s] = setsOfKind(r.sets, 'extended_procedures');
    expect(s?.rows.map((x) => [x.name, x.dllName, x.createDate])).toEqual([
      ['maggie', 'C:\\ProgramData\\maggie.dll', null],
      ['xp_a, with comma', 'x "q".dll', null],
    ]);
    const b = parseSqlExport('y.csv', enc('[name],[dll_name],[is_ms_shipped]\nm,d.dll,1\n'));
    expect(setsOfKind(b.sets, 'extended_procedures')[0]?.rows[0]?.isMsShipped).toBe(true);
  });

  it('TSV, semicolon and pipe separators; quoted multi-line cells keep their line numbers', () => {
    const t = parseSqlExport('t.tsv', enc('role_name\tmember_name\tmember_type_desc\nsysadmin\tsa\tSQL_LOGIN\n'));
    expect(t.sets[0]).toMatchObject({ kind: 'role_members', format: 'tsv' });
    const s = parseSqlExport('s.txt', enc('name;value;value_in_use\nxp_cmdshell;1;1\n'));
    expect(s.sets[0]).toMatchObject({ kind: 'configurations', format: 'delimited' });
    const m = parseSqlExport('m.csv', enc('procedure_name,definition\np,"CREATE PROC p AS\nSELECT 1"\nq,x\n'));
    expect(m.sets[0]?.rowLines).toEqual([2, 4]);
    expect(setsOfKind(m.sets, 'startup_procedures')[0]?.rows[0]?.definition).toBe('CREATE PROC p AS\nSELECT 1');
  });

  it('sp_configure, sp_helpsrvrolemember, raw sys.server_principals export', () => {
    const c = parseSqlExport('c.csv', enc('name,minimum,maximum,config_value,run_value\nxp_cmdshell,0,1,1,1\n'));
    expect(setsOfKind(c.sets, 'configurations')[0]?.rows[0]).toEqual({ name: 'xp_cmdshell', value: 1, valueInUse: 1 });
    expect(c.diagnostics.map((d) => d.code)).toEqual(['EXTRA_COLUMNS']);
    const m = parseSqlExport('m.csv', enc('ServerRole,MemberName,MemberSID\nsysadmin,sa,0x01\n'));
    expect(setsOfKind(m.sets, 'role_members')[0]?.rows[0]).toEqual({ roleName: 'sysadmin', memberName: 'sa', memberTypeDesc: null });
    const p = parseSqlExport(
      'p.csv',
      enc('name,principal_id,sid,type,type_desc,is_disabled,create_date,modify_date,default_database_name\nsa,1,0x01,S,SQL_LOGIN,0,2003-04-08 09:10:35.460,2024-03-02 10:16:01.010,master\n'),
    );
    expect(setsOfKind(p.sets, 'server_principals')[0]?.rows[0]).toMatchObject({ name: 'sa', typeDesc: 'SQL_LOGIN', isDisabled: false });
  });

  it('PowerShell Export-Csv of Invoke-Sqlcmd rows (#TYPE line, quoted values, DataRow extra columns)', () => {
    const csv =
      '#TYPE System.Data.DataRow\r\n"name","dll_name","create_date","modify_date","is_ms_shipped","RowError","RowState","Table","ItemArray","HasErrors"\r\n"maggie","C:\\ProgramData\\maggie.dll","3/2/2024 10:17:58 AM","3/2/2024 10:17:58 AM","False","","Unchanged","","System.Object[]","False"\r\n';
    const r = parseSqlExport('esp.csv', enc(csv));
    expect(r.errors).toEqual([]);
    const [s] = setsOfKind(r.sets, 'extended_procedures');
    expect(s?.line).toBe(2);
    expect(s?.rowLines).toEqual([3]);
    expect(s?.rows[0]).toMatchObject({ name: 'maggie', dllName: 'C:\\ProgramData\\maggie.dll', isMsShipped: false, createDate: '3/2/2024 10:17:58 AM' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['EXTRA_COLUMNS', 'CELL_TYPE', 'CELL_TYPE']);
  });

  it('NULL cells become null; non-typed values are diagnostics, not failures', () => {
    const r = parseSqlExport('n.csv', enc('name,value,value_in_use\nx,NULL,abc\n'));
    expect(setsOfKind(r.sets, 'configurations')[0]?.rows[0]).toEqual({ name: 'x', value: null, valueInUse: null });
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([['CELL_TYPE', 2]]);
    const d = parseSqlExport('d.csv', enc('name,type_desc,create_date\nsa,SQL_LOGIN,3/2/2024 10:25:13 AM\n'));
    expect(setsOfKind(d.sets, 'server_principals')[0]?.rows[0]?.createDate).toBe('3/2/2024 10:25:13 AM');
    expect(d.diagnostics[0]?.message).toMatch(/unambiguous format/);
  });
});

describe('FOR JSON', () => {
  it('FOR JSON PATH array: columns are the union of keys (NULL columns are left out by SQL Server)', () => {
    const json =
      '[\n  {"name":"maggie","dll_name":"C:\\\\ProgramData\\\\maggie.dll","create_date":"2024-03-02T10:17:58.203","is_ms_shipped":false},\n  {"name":"xp_msver","dll_name":"xplog70.dll","modify_date":"2019-09-24T14:21:06.787","is_ms_shipped":true}\n]\n';
    const r = parseSqlExport('esp.json', enc(json));
    expect(r.errors).toEqual([]);
    const [s] = setsOfKind(r.sets, 'extended_procedures');
    expect(s?.format).toBe('json');
    expect(s?.rowLines).toEqual([2, 3]);
    expect(s?.rows).toEqual([
      { name: 'maggie', dllName: 'C:\\ProgramData\\maggie.dll', createDate: '2024-03-02T10:17:58.203', modifyDate: null, isMsShipped: false },
      { name: 'xp_msver', dllName: 'xplog70.dll', createDate: null, modifyDate: '2019-09-24T14:21:06.787', isMsShipped: true },
    ]);
  });

  it('an object of sets, labelled by key', () => {
    const r = parseSqlExport(
      'all.json',
      enc(JSON.stringify({ configurations: [{ name: 'xp_cmdshell', value: 1, value_in_use: 1 }], server_principals: [{ name: 'sa', type_desc: 'SQL_LOGIN' }] }, null, 2)),
    );
    expect(r.sets.map((s) => [s.kind, s.label])).toEqual([
      ['configurations', 'configurations'],
      ['server_principals', 'server_principals'],
    ]);
  });

  it('FOR JSON through sqlcmd: the document split over 2033-character rows is joined', () => {
    const doc = JSON.stringify(Array.from({ length: 60 }, (_, k) => ({ name: `xp_${k}`, dll_name: `C:\\dll\\x${k}.dll`, is_ms_shipped: 0 })));
    const chunks = doc.match(/.{1,2033}/g) ?? [];
    const text = ['JSON_F52E2B61-18A1-11d1-B105-00805F49916B', '-'.repeat(41), ...chunks, '', `(${chunks.length} rows affected)`].join('\n');
    const r = parseSqlExport('forjson.txt', enc(text));
    expect(r.errors).toEqual([]);
    expect(setsOfKind(r.sets, 'extended_procedures')[0]?.rows).toHaveLength(60);
  });

  it('bad JSON is an error naming the file (line of the document, or of the fault when V8 says where)', () => {
    const r = parseSqlExport('bad.json', enc('\n[\n{"name": "a",\n "dll": }\n]'));
    expect(r.errors.map((e) => e.code)).toEqual(['BAD_JSON']);
    expect([2, 4]).toContain(r.errors[0]?.line);
    expect(r.errors[0]?.message).toMatch(/^bad\.json:\d+: not valid JSON/);
    const deep = parseSqlExport('deep.json', enc('['.repeat(10_000) + ']'.repeat(10_000)));
    expect(deep.errors[0]?.message).toMatch(/MAX_JSON_DEPTH/);
  });
});

describe('anything else', () => {
  it('unknown columns: an error naming the file and the header line', () => {
    const r = parseSqlExport('orders.csv', enc('\n\norder_id,customer,total\n1,a,2\n'));
    expect(r.sets).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'UNKNOWN_COLUMNS', fileName: 'orders.csv', line: 3 });
    expect(r.errors[0]?.message).toMatch(/^orders\.csv:3: columns \(order_id,customer,total\)/);
  });

  it('a headerless SSMS export or prose is an error, an empty file a diagnostic', () => {
    expect(parseSqlExport('a.csv', enc('maggie,C:\\ProgramData\\maggie.dll\n')).errors[0]?.code).toBe('UNKNOWN_COLUMNS');
    expect(parseSqlExport('notes.txt', enc('hello world\n')).errors[0]).toMatchObject({ code: 'NOT_AN_EXPORT', line: 1 });
    expect(parseSqlExport('e.csv', new Uint8Array(0)).diagnostics[0]?.code).toBe('EMPTY_FILE');
  });

  it('rows with the wrong cell count and unclosed quotes are errors with their line', () => {
    const r = parseSqlExport('r.csv', enc('name,value,value_in_use\na,1,1\nb,1\n"c,1,1\n'));
    expect(r.errors.map((e) => [e.code, e.line])).toEqual([
      ['BAD_ROW', 3],
      ['BAD_ROW', 4],
      ['BAD_ROW', 4],
    ]);
    expect(setsOfKind(r.sets, 'configurations')[0]?.rows).toHaveLength(1);
  });

  it('invalid UTF-8 is read as Windows-1252 with a diagnostic', () => {
    const bytes = new Uint8Array([...enc('name,dll\n'), 0x6d, 0xe9, ...enc(',x.dll\n')]);
    const r = parseSqlExport('w.csv', bytes);
    expect(setsOfKind(r.sets, 'extended_procedures')[0]?.rows[0]?.name).toBe('mé');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['ENCODING']);
  });

  it('caps: huge cells are cut with a diagnostic, absurd headers are errors', () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const csv = parseSqlExport('big.csv', enc(`name,dll\n${big},a.dll\n`));
    expect(setsOfKind(csv.sets, 'extended_procedures')[0]?.rows[0]?.name.length).toBe(1024 * 1024);
    expect(csv.diagnostics.map((d) => d.code)).toEqual(['TRUNCATED_VALUE']);
    const sq = parseSqlExport('big.txt', enc(`name|dll\n----|---\n${big}|a.dll\n`));
    expect(setsOfKind(sq.sets, 'extended_procedures')[0]?.rows[0]?.name.length).toBe(1024 * 1024);
    expect(sq.diagnostics.map((d) => d.code)).toEqual(['TRUNCATED_VALUE']);
    const wide = parseSqlExport('wide.csv', enc(`${Array.from({ length: 5000 }, (_, k) => `c${k}`).join(',')}\n`));
    expect(wide.errors.map((e) => e.code)).toEqual(['LIMIT_EXCEEDED']);
  });

  it('never throws on arbitrary bytes or text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.string({ maxLength: 2048 }).map(enc)), (bytes) => {
        const r = parseSqlExport('fuzz', bytes);
        for (const e of r.errors) if (!e.message.startsWith('fuzz:')) throw new Error(e.message);
      }),
      { numRuns: 400 },
    );
    const pieces = fc.constantFrom('name', 'dll', '|', ',', '\n', '----', '-', '"', 'NULL', 'espy_section', 'ESPY:end', 'Msg 1, Level 1, State 1', '(1 rows affected)', '[', '{', ' ');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 200 }), (parts) => {
        parseSqlExport('fuzz', enc(parts.join('')));
      }),
      { numRuns: 400 },
    );
  });
});

describe('keepRows: what a caller holds of a long set', () => {
  it('keeps the first rows of the kind, counts the rest with the first of them, and reports no error', () => {
    const rows = ['name,dll_name'];
    for (let i = 0; i < 25; i++) rows.push(`xp_${i},d${i}.dll`);
    const r = parseSqlExport('e.csv', enc(`${rows.join('\n')}\n`), { keepRows: { extended_procedures: 10, server_principals: 1 } });
    expect(r.errors).toEqual([]);
    const set = setsOfKind(r.sets, 'extended_procedures')[0];
    expect(set?.rows.map((x) => x.name)).toEqual(Array.from({ length: 10 }, (_, i) => `xp_${i}`));
    expect(set?.notKept?.count).toBe(15);
    expect(set?.notKept?.first.dllName).toBe('d10.dll');
    expect(set?.notKept?.firstLine).toBe(12);
    // Without the option, every row is kept.
    expect(setsOfKind(parseSqlExport('e.csv', enc(rows.join('\n'))).sets, 'extended_procedures')[0]?.rows).toHaveLength(25);
  });
});
