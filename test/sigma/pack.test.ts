import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorrelationEngine, createEventView, loadRules, type CorrelationMatch } from '../../detection/sigma/index.js';
import type { EventJson } from '../../parsers/common/event.js';
import { REPO_ROOT } from '../support/paths.js';
import { mssqlEvent, securityEvent, sysmonEvent } from './helpers.js';

const PACK_DIR = join(REPO_ROOT, 'rules', 'sigma');
const files = readdirSync(PACK_DIR)
  .filter((n) => n.endsWith('.yml'))
  .map((n) => ({ path: `rules/sigma/${n}`, text: readFileSync(join(PACK_DIR, n), 'utf8') }));
const loaded = loadRules(files);
const pack = loaded.rules;

function hits(ev: EventJson): string[] {
  return pack
    .match(createEventView(ev))
    .filter((m) => m.reported)
    .map((m) => m.rule.title)
    .sort();
}

describe('espy rule pack', () => {
  it('loads with no error, and every rule has the required metadata', () => {
    expect(loaded.errors).toEqual([]);
    expect(pack.size).toBe(loaded.documents);
    for (const m of pack.metas()) {
      expect(m.id, m.title).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(m.author).toBe('espy');
      expect(m.status).toBeTruthy();
      expect(m.description).toBeTruthy();
      expect(m.references.length).toBeGreaterThan(0);
      expect(m.falsepositives.length).toBeGreaterThan(0);
      expect(
        m.tags.some((t) => /^attack\.t\d{4}/.test(t)),
        m.title,
      ).toBe(true);
    }
    expect(new Set(pack.metas().map((m) => m.id)).size).toBe(pack.size);
  });

  const cases: { rule: string; positive: EventJson[]; negative: EventJson[] }[] = [
    {
      rule: 'MSSQL Extended Stored Procedure DLL Loaded From Outside Binn',
      positive: [
        mssqlEvent(8128, ['C:\\ProgramData\\maggie.dll', '1.0.0.0', 'maggie']),
        mssqlEvent(33090, ['C:\\ProgramData\\sqlmaint.dll'], { provider: 'MSSQL$SQLEXPRESS' }),
        mssqlEvent(8128, ['\\\\fileserver\\share\\x.dll, 1.0, xp_x']),
      ],
      negative: [
        mssqlEvent(8128, ['C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\xpstar.dll', '2019.150.2000.5', 'xp_instance_regread']),
        mssqlEvent(8128, ['xpstar.dll', '2019.150.2000.5', 'xp_instance_regread']),
        mssqlEvent(8128, ['C:\\ProgramData\\maggie.dll', '1.0', 'maggie'], { provider: 'SQLSERVERAGENT' }),
      ],
    },
    {
      rule: 'MSSQL Extended Stored Procedure From a Non-Microsoft DLL',
      positive: [mssqlEvent(8128, ['sqlbackup.dll', '1.0.0.0', 'xp_backup']), mssqlEvent(8128, ['maggie.dll,1.0,maggie'], { provider: 'MSSQL$RADAR' })],
      negative: [mssqlEvent(8128, ['xpstar.dll', '2019.150.2000.5', 'xp_instance_regread']), mssqlEvent(8128, ['xplog70.dll,2019.150.2000.5,xp_msver'])],
    },
    {
      rule: 'MSSQL Maggie Backdoor Extended Stored Procedure Executed',
      positive: [mssqlEvent(8128, ['maggie.dll', '1.0', 'maggie']), mssqlEvent(8128, ['C:\\ProgramData\\maggie.dll,1.0,maggie'], { provider: 'MSSQL$RADAR' })],
      negative: [mssqlEvent(8128, ['xpstar.dll', '2019.150.2000.5', 'xp_maggielike']), mssqlEvent(17135, ['maggie'])],
    },
    {
      rule: 'MSSQL Extended Stored Procedure DLL Without __GetXpVersion',
      positive: [mssqlEvent(8131, ['C:\\ProgramData\\a.dll'])],
      negative: [mssqlEvent(8131, ['C:\\ProgramData\\a.dll'], { provider: 'Application Error' })],
    },
    {
      rule: 'MSSQL Extended Stored Procedure DLL Failed to Load',
      positive: [mssqlEvent(17750, ['C:\\x.dll', '126(The specified module could not be found.)']), mssqlEvent(17751, ['xp_a', 'C:\\x.dll', '127'], { provider: 'MSSQL$A' })],
      negative: [mssqlEvent(17752, ['x'])],
    },
    {
      rule: 'MSSQL Risky Server Configuration Option Changed',
      positive: [mssqlEvent(15457, ['xp_cmdshell,0,1']), mssqlEvent(15457, ['clr enabled', '0', '1'], { provider: 'MSSQL$RADAR' }), mssqlEvent(15457, ['Ole Automation Procedures', '0', '1'])],
      negative: [mssqlEvent(15457, ['show advanced options,0,1']), mssqlEvent(15457, ['max server memory (MB)', '2147483647', '4096'])],
    },
    {
      rule: 'MSSQL Startup Procedure Launched',
      positive: [mssqlEvent(17135, ['sp_start_me'])],
      negative: [mssqlEvent(17136, ['sp_start_me'])],
    },
    {
      rule: 'DLL Loaded Into sqlservr.exe From Outside SQL Server and Windows Folders',
      positive: [
        sysmonEvent(7, {
          Image: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe',
          ImageLoaded: 'C:\\ProgramData\\maggie.dll',
          Signed: 'false',
          SignatureStatus: 'Unavailable',
          Signature: '-',
        }),
      ],
      negative: [
        sysmonEvent(7, {
          Image: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe',
          ImageLoaded: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\xpstar.dll',
          Signed: 'true',
          SignatureStatus: 'Valid',
          Signature: 'Microsoft Corporation',
        }),
        sysmonEvent(7, { Image: 'C:\\Program Files\\x\\other.exe', ImageLoaded: 'C:\\ProgramData\\maggie.dll', Signed: 'false' }),
        sysmonEvent(7, {
          Image: 'C:\\SQL\\sqlservr.exe',
          ImageLoaded: 'D:\\Tools\\ms.dll',
          Signed: 'true',
          SignatureStatus: 'Valid',
          Signature: 'Microsoft Windows',
        }),
      ],
    },
    {
      rule: 'Process Started by sqlservr.exe',
      positive: [
        sysmonEvent(1, { Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.X\\MSSQL\\Binn\\sqlservr.exe' }),
        securityEvent(4688, { NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ParentProcessName: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL12.RADAR\\MSSQL\\Binn\\sqlservr.exe' }),
      ],
      negative: [
        sysmonEvent(1, { Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Windows\\explorer.exe' }),
        sysmonEvent(1, { Image: 'C:\\Program Files\\Microsoft SQL Server\\150\\Shared\\SQLDumper.exe', ParentImage: 'C:\\x\\sqlservr.exe' }),
        sysmonEvent(3, { Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'C:\\x\\sqlservr.exe' }),
      ],
    },
    {
      rule: 'MSSQL Server Login Created',
      positive: [mssqlEvent(33205, ["audit_schema_version:1\naction_id:CR  \nclass_type:SL\nstatement:CREATE LOGIN [x] WITH PASSWORD=N'******'"])],
      negative: [mssqlEvent(33205, ['audit_schema_version:1\naction_id:CR  \nclass_type:U \nstatement:CREATE USER [x]'])],
    },
  ];

  for (const c of cases) {
    it(`${c.rule}: fires on the positives, not on the near misses`, () => {
      for (const ev of c.positive) expect(hits(ev), JSON.stringify(ev.Event['EventData'])).toContain(c.rule);
      for (const ev of c.negative) expect(hits(ev), JSON.stringify(ev.Event['EventData'])).not.toContain(c.rule);
    });
  }

  it('single failed logins are not reported on their own', () => {
    expect(hits(mssqlEvent(18456, ['sa, Reason: Password did not match. [CLIENT: 203.0.113.45]']))).toEqual([]);
  });

  function correlate(events: EventJson[]): CorrelationMatch[] {
    const eng = new CorrelationEngine(pack);
    const out: CorrelationMatch[] = [];
    for (const e of events) {
      const v = createEventView(e);
      out.push(...eng.push(e, pack.match(v), v));
    }
    return [...out, ...eng.flush()];
  }
  const at = (s: number): string => new Date(Date.UTC(2024, 4, 1, 10) + s * 1000).toISOString();
  const failed = (s: number, ip: string): EventJson => mssqlEvent(18456, [`sa, Reason: Password did not match that for the login provided. [CLIENT: ${ip}]`], { time: at(s) });

  it('brute force then success from the same client: both correlations fire (named instance)', () => {
    const evs = [...[0, 5, 10, 15, 20, 25].map((s) => failed(s, '203.0.113.45')), mssqlEvent(18454, ['sa', '[CLIENT: 203.0.113.45]'], { time: at(120), provider: 'MSSQL$RADAR' })];
    expect(correlate(evs).map((m) => m.rule.title)).toEqual(['MSSQL Login Brute Force From One Client', 'MSSQL Successful Login After Brute Force From the Same Client']);
  });
  it('near misses: too few failures, success from another client, login created long after', () => {
    expect(correlate([0, 5, 10, 15].map((s) => failed(s, '203.0.113.45')))).toEqual([]);
    const other = correlate([...[0, 5, 10, 15, 20].map((s) => failed(s, '203.0.113.45')), mssqlEvent(18454, ['sa', '[CLIENT: 198.51.100.1]'], { time: at(60) })]);
    expect(other.map((m) => m.rule.title)).toEqual(['MSSQL Login Brute Force From One Client']);
    const late = correlate([...[0, 5, 10, 15, 20].map((s) => failed(s, '203.0.113.45')), mssqlEvent(33205, ['action_id:CR  \nclass_type:SL\n'], { time: at(2 * 3600) })]);
    expect(late.map((m) => m.rule.title)).toEqual(['MSSQL Login Brute Force From One Client']);
  });
  it('new login right after a brute force fires', () => {
    const m = correlate([...[0, 5, 10, 15, 20].map((s) => failed(s, '203.0.113.45')), mssqlEvent(33205, ['action_id:CR  \nclass_type:SL\n'], { time: at(600) })]);
    expect(m.map((x) => x.rule.title)).toEqual(['MSSQL Login Brute Force From One Client', 'MSSQL Login Created After Brute Force']);
  });
});
