import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHuntArgs } from '../../cli/commands/hunt.js';
import { EXIT, UsageError } from '../../cli/exit-codes.js';
import { runCli } from '../support/cli.js';
import { requireCorpus } from '../support/paths.js';

const SQL_PROCS = (): string => join(requireCorpus('evtx'), 'mdecrevoisier_EVTX-to-MITRE-Attack', 'TA0003-Persistence', 'T1505.001-SQL Stored Procedures');

describe('parseHuntArgs', () => {
  it('defaults and --json', () => {
    expect(parseHuntArgs(['a.evtx'], {})).toEqual({ paths: ['a.evtx'], sigma: [], format: 'table', check: false, json: false, minLevel: 'informational' });
    expect(parseHuntArgs(['a.evtx'], { json: true }).format).toBe('jsonl');
    expect(parseHuntArgs(['a.evtx'], {}, true).format).toBe('jsonl');
    expect(parseHuntArgs(['a'], { format: 'csv', sigma: ['r1', 'r2'] })).toMatchObject({ format: 'csv', sigma: ['r1', 'r2'] });
    expect(parseHuntArgs([], { check: true }).check).toBe(true);
  });
  it('usage errors', () => {
    expect(() => parseHuntArgs([], {})).toThrow(UsageError);
    expect(() => parseHuntArgs(['a'], { format: 'xml' })).toThrow(UsageError);
  });
});

describe('espy hunt', () => {
  it('--check prints the pack load report (exit 0), as text and JSON', async () => {
    const t = await runCli(['hunt', '--check']);
    expect(t.code).toBe(EXIT.OK);
    expect(t.stdout).toMatch(/loaded: 21 \(18 detection, 3 correlation\), 100\.00%/);
    const j = await runCli(['--json', 'hunt', '--check']);
    expect(JSON.parse(j.stdout)).toMatchObject({ documents: 21, loaded: 21, rejected: 0, errors: [] });
  });

  it('--check on a folder with a bad rule: file:line:col and reason, exit 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espy-hunt-'));
    writeFileSync(join(dir, 'bad.yml'), 'title: bad\nlogsource:\n    product: windows\n    service: security\ndetection:\n    sel:\n        Image|nope: x\n    condition: sel\n');
    writeFileSync(join(dir, 'good.yaml'), 'title: good\nlogsource:\n    product: windows\n    service: security\ndetection:\n    sel:\n        EventID: 4625\n    condition: sel\n');
    const r = await runCli(['hunt', '--check', '--sigma', dir]);
    expect(r.code).toBe(EXIT.CHECK_FAILED);
    expect(r.stdout).toMatch(/loaded: 1 /);
    expect(r.stdout).toMatch(/bad\.yml:7:9: unsupported-modifier: unknown modifier 'nope'/);
  });

  it('hunts a folder of EVTX files with the pack (jsonl, csv, table)', async () => {
    const j = await runCli(['hunt', '--format', 'jsonl', SQL_PROCS()]);
    expect(j.code).toBe(EXIT.OK);
    const rows = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [String(r['file']).replace(/.*\//, ''), r['title'], r['level'], r['eventId'], r['recordId']])).toEqual([
      ['ID15457-SQL Server CMDshell enabled.evtx', 'MSSQL Risky Server Configuration Option Changed', 'high', 15457, 1],
      ['ID15457-SQL server CLR lateral movement.evtx', 'MSSQL Risky Server Configuration Option Changed', 'high', 15457, 2],
    ]);
    expect(rows[0]).toMatchObject({ ruleId: 'f4e8ce30-3fc1-4485-a068-a043fe4759cc', timestamp: '2020-08-01T21:32:10.598291Z' });
    const c = await runCli(['hunt', '--format', 'csv', SQL_PROCS()]);
    const lines = c.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('level,title,ruleId,kind,file,recordId,line,timestamp,eventId,count,group');
    expect(lines).toHaveLength(3);
    const t = await runCli(['hunt', SQL_PROCS()]);
    expect(t.stdout).toMatch(/^HIGH +2020-08-01T21:32:10\.598291Z +15457 +MSSQL Risky Server Configuration Option Changed/m);
    expect(t.stderr).toMatch(/hunt: \d+ event\(s\) from 5 file\(s\)/);
  });

  it('hunts an ERRORLOG: a Maggie ESP load on a named instance, by line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espy-hunt-'));
    const log = [
      '2024-05-01 10:00:00.00 Server      Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)',
      '2024-05-01 10:00:00.00 Server      UTC adjustment: 2:00',
      "2024-05-01 10:00:00.00 Server      Server name is 'SQL01\\RADAR'. This is an informational message only. No user action is required.",
      "2024-05-01 12:00:00.00 spid52      Using 'xpstar.dll' version '2019.150.2000' to execute extended stored procedure 'xp_instance_regread'. This is an informational message only; no user action is required.",
      "2024-05-01 12:30:00.00 spid61      Using 'C:\\ProgramData\\maggie.dll' version '1.0.0' to execute extended stored procedure 'maggie'. This is an informational message only; no user action is required.",
      '',
    ].join('\r\n');
    mkdirSync(join(dir, 'Log'));
    writeFileSync(join(dir, 'Log', 'ERRORLOG'), log, 'utf8');
    const r = await runCli(['hunt', '--format', 'jsonl', dir]);
    expect(r.code).toBe(EXIT.OK);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => [x['title'], x['line'], x['eventId'], x['timestamp']]).sort()).toEqual([
      ['MSSQL Extended Stored Procedure DLL Loaded From Outside Binn', 5, 8128, '2024-05-01T10:30:00.0000000Z'],
      ['MSSQL Extended Stored Procedure From a Non-Microsoft DLL', 5, 8128, '2024-05-01T10:30:00.0000000Z'],
      ['MSSQL Maggie Backdoor Extended Stored Procedure Executed', 5, 8128, '2024-05-01T10:30:00.0000000Z'],
    ]);
  });

  it('a file that is neither EVTX nor ERRORLOG is reported by name, the run goes on (exit 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espy-hunt-'));
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const r = await runCli(['hunt', '--format', 'jsonl', junk, join(SQL_PROCS(), 'ID15457-SQL Server CMDshell enabled.evtx')]);
    expect(r.code).toBe(EXIT.PARTIAL);
    expect(r.stderr).toContain('junk.bin: neither an EVTX file nor an ERRORLOG');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });
});
