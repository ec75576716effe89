// Every ERRORLOG of the corpus parses with zero errors; counts pinned per
// file and cross-checked against an independent line count of the decoded text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseErrorlog } from '../../parsers/errorlog/index.js';
import { requireCorpus } from '../support/paths.js';

const DIR = requireCorpus('errorlog');

// [file, physical lines, entries, UTC adjustment (min), provider, 18456, 8128, 33090, 15457, entries without an ID]
type Row = [string, number, number, number | undefined, string, number, number, number, number, number];
const PINNED: Row[] = [
  ['NebrasAlshaghl-DB/Log/ERRORLOG', 75, 66, 180, 'MSSQLSERVER', 0, 1, 1, 0, 61],
  ['NebrasAlshaghl-DB/Log/ERRORLOG.1', 191, 181, 180, 'MSSQLSERVER', 0, 3, 3, 0, 170],
  ['NebrasAlshaghl-DB/Log/ERRORLOG.2', 198, 186, 180, 'MSSQLSERVER', 2, 3, 3, 0, 173],
  ['NebrasAlshaghl-DB/Log/ERRORLOG.3', 78, 69, 180, 'MSSQLSERVER', 0, 2, 2, 0, 61],
  ['NebrasAlshaghl-DB/Log/ERRORLOG.4', 80, 71, 180, 'MSSQLSERVER', 0, 3, 3, 0, 61],
  ['NebrasAlshaghl-DB/Log/ERRORLOG.5', 83, 73, 180, 'MSSQLSERVER', 1, 3, 3, 0, 62],
  ['NebrasAlshaghl-DB/Log/ERRORLOG.6', 125, 98, 180, 'MSSQLSERVER', 18, 3, 3, 0, 70],
  ['Tamadhir10-Library-Management-System/ERRORLOG', 209, 201, 240, 'MSSQLSERVER', 0, 3, 3, 0, 191],
  ['alzahra25-LibraryManagementSystem/ERRORLOG', 212, 204, 240, 'MSSQLSERVER', 0, 3, 3, 0, 195],
  ['desarrollo789-dabases/MSSQL/Log/ERRORLOG', 109, 94, -360, 'MSSQL$PRUEBAS', 1, 3, 3, 6, 74],
  ['desarrollo789-dabases/MSSQL/Log/ERRORLOG.1', 79, 66, -360, 'MSSQL$PRUEBAS', 0, 2, 2, 0, 57],
  ['desarrollo789-dabases/MSSQL/Log/ERRORLOG.2', 121, 104, -360, 'MSSQL$PRUEBAS', 2, 2, 2, 0, 90],
  ['desarrollo789-dabases/MSSQL/Log/ERRORLOG.3', 116, 103, -360, 'MSSQL$PRUEBAS', 0, 2, 2, 0, 67],
  ['desarrollo789-dabases/MSSQL/Log/ERRORLOG.4', 83, 69, -360, 'MSSQL$PRUEBAS', 1, 2, 2, 0, 59],
  ['desarrollo789-dabases/MSSQL/Log/ERRORLOG.5', 100, 84, -360, 'MSSQL$PRUEBAS', 1, 2, 2, 0, 71],
  ['desarrollo789-dabases/MSSQL/Log/ERRORLOG.6', 87, 74, -360, 'MSSQL$PRUEBAS', 0, 2, 2, 0, 65],
  ['dzubaycommits-dev/Log/ERRORLOG', 42, 33, 180, 'MSSQL$MSSQLSERGO', 0, 0, 0, 0, 31],
  ['dzubaycommits-dev/Log/ERRORLOG.1', 52, 42, 180, 'MSSQL$MSSQLSERGO', 0, 0, 0, 0, 40],
  ['khitam99-DB_Project/ERRORLOG', 281, 252, 240, 'MSSQL$MSSQLSERVER03', 0, 3, 3, 0, 166],
  ['klumzy33-LibraryMS_SQL_Database/Log/ERRORLOG', 74, 65, 540, 'MSSQL$SQLEXPRESS', 0, 2, 2, 0, 58],
  ['klumzy33-LibraryMS_SQL_Database/Log/ERRORLOG.1', 70, 60, 540, 'MSSQL$SQLEXPRESS', 0, 0, 0, 0, 55],
  ['klumzy33-LibraryMS_SQL_Database/Log/ERRORLOG.2', 78, 68, 540, 'MSSQL$SQLEXPRESS', 0, 1, 1, 0, 61],
  ['klumzy33-LibraryMS_SQL_Database/Log/ERRORLOG.3', 70, 60, 540, 'MSSQL$SQLEXPRESS', 0, 0, 0, 0, 55],
  ['klumzy33-LibraryMS_SQL_Database/Log/ERRORLOG.4', 85, 75, 540, 'MSSQL$SQLEXPRESS', 0, 1, 1, 0, 68],
  ['klumzy33-LibraryMS_SQL_Database/Log/ERRORLOG.5', 72, 63, 540, 'MSSQL$SQLEXPRESS', 0, 1, 1, 0, 58],
  ['klumzy33-LibraryMS_SQL_Database/Log/ERRORLOG.6', 70, 60, 540, 'MSSQL$SQLEXPRESS', 0, 0, 0, 0, 55],
  ['tonyleesos-docker_mssql2019/log/errorlog', 77, 71, 0, 'MSSQLSERVER', 0, 1, 1, 0, 67],
  ['tonyleesos-docker_mssql2019/log/errorlog.1', 108, 102, 0, 'MSSQLSERVER', 0, 1, 1, 0, 97],
];

function decodedText(bytes: Buffer): string {
  return bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8');
}

const count = (text: string, re: RegExp): number => text.split(/\r?\n/).filter((l) => re.test(l)).length;

describe('corpus ERRORLOGs', () => {
  it.each(PINNED)('%s', (file, lines, entries, utc, provider, n18456, n8128, n33090, n15457, unknown) => {
    const bytes = readFileSync(join(DIR, file));
    const r = parseErrorlog(bytes);
    expect(r.errors).toEqual([]);
    expect(r.diagnostics).toEqual([]);
    expect(r.layout).toBe('errorlog');
    expect(r.lineCount).toBe(lines);
    expect(r.entries.length).toBe(entries);
    expect(r.banner.utcAdjustmentMinutes).toBe(utc);
    expect(r.provider).toBe(provider);
    const ids = (id: number): number => r.entries.filter((e) => e.eventId === id).length;
    expect([ids(18456), ids(8128), ids(33090), ids(15457), ids(0)]).toEqual([n18456, n8128, n33090, n15457, unknown]);
    expect(r.entries.every((e) => e.timeBasis === 'banner')).toBe(true);

    // Independent cross-check on the decoded text: entries = timestamped lines minus the
    // `Error: N, ...` lines merged into the message line after them.
    const text = decodedText(bytes);
    const heads = count(text, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d\d /);
    const errorLines = count(text, /^\S+ \S+ \S+ +Error: \d+, /);
    expect(r.entries.length).toBe(heads - errorLines);
    expect(ids(18456)).toBe(count(text, /Login failed for user '/));
    expect(ids(8128)).toBe(count(text, /to execute extended stored procedure '/));
    expect(r.entries.filter((e) => e.error).length).toBe(errorLines);
    // Every event summarises to what the entry says.
    for (const e of r.entries) {
      expect(e.event.Event['System']).toMatchObject({ EventID: e.eventId, Channel: 'Application' });
    }
  });

  it('pins every ERRORLOG in the corpus (none forgotten)', () => {
    const tsv = readFileSync(join(DIR, 'PROVENANCE.tsv'), 'utf8').split('\n').slice(1);
    const logs = tsv.map((l) => l.split('\t')[0] ?? '').filter((f) => /errorlog(\.\d+)?$/i.test(f));
    expect(logs.sort()).toEqual(PINNED.map((r) => r[0]).sort());
  });

  it('the dbghelp.dll stack-dump line is not an 8128 (khitam99, alzahra25)', () => {
    for (const f of ['khitam99-DB_Project/ERRORLOG', 'alzahra25-LibraryManagementSystem/ERRORLOG']) {
      const r = parseErrorlog(readFileSync(join(DIR, f)));
      const dbghelp = r.entries.filter((e) => e.text.startsWith("Using 'dbghelp.dll'"));
      expect(dbghelp.length).toBeGreaterThan(0);
      for (const e of dbghelp) expect(e.eventId).toBe(0);
      for (const e of r.entries.filter((x) => x.eventId === 8128)) expect(e.data[0]).not.toBe('dbghelp.dll');
    }
  });

  it('Spanish server (desarrollo789, MSSQL$PRUEBAS): 18456 with Motivo/CLIENTE, errors with gravedad/estado', () => {
    const r = parseErrorlog(readFileSync(join(DIR, 'desarrollo789-dabases/MSSQL/Log/ERRORLOG')));
    expect(r.banner).toMatchObject({ serverName: 'DESKTOP-ISJ34KL\\PRUEBAS', instanceName: 'PRUEBAS', utcAdjustmentMinutes: -360 });
    expect(r.computer).toBe('DESKTOP-ISJ34KL');
    const login = r.entries.find((e) => e.eventId === 18456);
    expect(login).toMatchObject({
      line: 62,
      source: 'Logon',
      localTime: '2019-03-14 21:52:28.65',
      utcTime: '2019-03-15T03:52:28.6500000Z',
      error: { number: 18456, severity: 14, state: 38 },
      data: ['NT SERVICE\\ReportServer$PRUEBAS', " Motivo: no se puede abrir la base de datos explícitamente especificada 'ReportServer$PRUEBAS'.", ' [CLIENTE: <local machine>]'],
    });
    const perf = r.entries.find((e) => e.eventId === 8310);
    expect(perf?.error).toEqual({ number: 8310, severity: 16, state: 1 });
    expect(r.entries.filter((e) => e.eventId === 15457).map((e) => e.data)).toContainEqual(['Agent XPs', '0', '1']);
  });

  it('SQL Server 2019 on Linux (UTF-8, LF, no BOM)', () => {
    const r = parseErrorlog(readFileSync(join(DIR, 'tonyleesos-docker_mssql2019/log/errorlog')));
    expect(r.encoding).toBe('utf-8');
    expect(r.banner).toMatchObject({ errorlogPath: '/var/opt/mssql/log/errorlog', serverName: 'ece17eedbcdc', utcAdjustmentMinutes: 0 });
    expect(r.entries[0]?.text.split('\n')).toHaveLength(4);
    expect(r.entries[0]?.offset).toBe(0);
    const esp = r.entries.find((e) => e.eventId === 8128);
    expect(esp?.data).toEqual(['xplog70.dll', '2019.150.4198', 'xp_msver']);
  });

  it("UTC conversion matches the log's own local/UTC pair (NebrasAlshaghl, UTC adjustment 3:00)", () => {
    // The log says: "last reported using a process ID of 5336 at 5/9/2022 5:20:37 PM (local)
    // 5/9/2022 2:20:37 PM (UTC)": local = UTC + 3 h.
    const r = parseErrorlog(readFileSync(join(DIR, 'NebrasAlshaghl-DB/Log/ERRORLOG')));
    expect(r.entries[0]).toMatchObject({ localTime: '2022-05-09 17:21:29.82', utcTime: '2022-05-09T14:21:29.8200000Z', line: 1, offset: 2 });
  });

  it('SQLAGENT.OUT beside the ERRORLOGs is read in its own layout, with its assumptions stated', () => {
    const r = parseErrorlog(readFileSync(join(DIR, 'desarrollo789-dabases/MSSQL/Log/SQLAGENT.OUT')));
    expect(r.errors).toEqual([]);
    expect(r.layout).toBe('sqlagent');
    expect(r.entries.length).toBe(27);
    expect(r.provider).toBe('SQLAgent$PRUEBAS');
    expect(r.computer).toBe('DESKTOP-ISJ34KL');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SQLAGENT_LOG', 'NO_UTC_ADJUSTMENT']);
    expect(r.entries[0]).toMatchObject({ agent: { level: '?', messageId: 100 }, timeBasis: 'assumed-utc', utcTime: '2019-03-14T22:45:14.0000000Z' });
  });
});
