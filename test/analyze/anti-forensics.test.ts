import { describe, expect, it } from 'vitest';
import { assembleResult } from '../../detection/analyze/assemble.js';
import { findingsFromAntiForensics } from '../../detection/analyze/anti-forensics.js';
import type { AnalysisInputs, ArtefactStats, DllFacts, SqlFacts } from '../../detection/analyze/inputs.js';
import { mssqlEvent, stats, sysmonEvent, testMeta } from './builders.js';

const meta = testMeta();

const GONE = 'C:\\Windows\\Temp\\sqlhelper.dll';
const BINN = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn';
const LOG_DIR = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Log';

function binnDll(): DllFacts {
  const path = `${BINN}\\xpstar.dll`;
  return { path, file: { present: true, path, isPe: true, isEsp: true, exports: ['xp_instance_regread'], signed: false, yara: [] }, suspicion: 'unknown', reasons: [], foundBy: 'binn' };
}

function goneDll(): DllFacts {
  return { path: GONE, file: { present: false, path: GONE, yara: [] }, suspicion: 'unknown', reasons: ['named by 8128 but not in the source'], foundBy: 'named' };
}

function sqlWith(esps: { name: string; dllName: string }[]): SqlFacts {
  return {
    files: ['sql/extended_procedures.csv'],
    esps: esps.map((e, i) => ({ ...e, isMsShipped: e.dllName === 'xpstar.dll', file: 'sql/extended_procedures.csv', line: i + 2 })),
    principals: undefined,
    roleMembers: undefined,
    configurations: undefined,
    utcOffsetMinutes: 0,
    errors: [],
  };
}

function wipedInputs(): AnalysisInputs {
  return {
    hostName: 'SQL01',
    sqlInstances: [{ name: 'MSSQLSERVER', provider: 'MSSQLSERVER', errorlogPaths: [] }],
    events: [
      mssqlEvent(33090, '2026-03-14T02:20:59.0000000Z', [GONE]),
      mssqlEvent(8128, '2026-03-14T02:21:00.0000000Z', [GONE, '1.0.0', 'xp_sqlhelper']),
      mssqlEvent(8128, '2026-03-14T02:40:00.0000000Z', ['xpstar.dll', '2017.140.1000', 'xp_instance_regread']),
    ],
    hits: [],
    sql: sqlWith([{ name: 'xp_instance_regread', dllName: 'xpstar.dll' }]),
    dlls: [binnDll(), goneDll()],
    missingDlls: [],
    stats: [stats('Application', 'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx', [8128, 33090])],
    errors: [],
  };
}

const USED_THEN_REMOVED = 'espy.anti-forensics.esp-used-then-removed';

describe('"used, then removed" ESP DLL', () => {
  it('loaded and executed, not on disk, not registered → high finding naming the DLL and where the logs saw it, in the timeline', () => {
    const r = assembleResult(wipedInputs(), meta);
    const f = r.findings.find((x) => x.ruleId === USED_THEN_REMOVED);
    expect(f?.severity).toBe('high');
    expect(f?.title).toBe(`ESP DLL used, then removed: ${GONE}`);
    expect(f?.explanation).toContain('Application.evtx 8128');
    expect(f?.explanation).toContain('Application.evtx 33090');
    expect(f?.explanation).toContain('xp_sqlhelper');
    expect(f?.evidence.filter((e) => e.kind === 'evtx').map((e) => e.timestamp)).toEqual(['2026-03-14T02:20:59.0000000Z', '2026-03-14T02:21:00.0000000Z']);
    expect(f?.evidence.some((e) => e.kind === 'sql-export')).toBe(true);
    expect(f?.nextSteps.join(' ')).toMatch(/shadow copies/);
    expect([f?.firstSeen, f?.lastSeen]).toEqual(['2026-03-14T02:20:59.0000000Z', '2026-03-14T02:21:00.0000000Z']);
    expect(r.findings.filter((x) => x.ruleId === USED_THEN_REMOVED)).toHaveLength(1);
    const rows = r.timeline.filter((t) => t.ruleIds.includes(USED_THEN_REMOVED));
    expect(rows.map((t) => t.eventId)).toEqual([33090, 8128]);
    expect(rows.every((t) => t.severity === 'high' || t.severity === 'critical')).toBe(true);
    expect(r.verdict.verdict).toBe('COMPROMISED');
  });

  it('keeps the missing file and the export among its evidence however many log lines name the DLL', () => {
    const inputs = wipedInputs();
    for (let i = 0; i < 30; i++) inputs.events.push(mssqlEvent(33090, `2026-03-14T03:${String(i).padStart(2, '0')}:00.0000000Z`, [GONE]));
    const f = assembleResult(inputs, meta).findings.find((x) => x.ruleId === USED_THEN_REMOVED);
    expect(f?.evidence.length).toBe(10);
    expect(f?.evidence.slice(-2).map((e) => e.kind)).toEqual(['pe', 'sql-export']);
    expect(f?.lastSeen).toBe('2026-03-14T03:29:00.0000000Z');
  });

  it('not raised when the DLL is still registered, still on disk, or the evidence cannot tell', () => {
    const registered = wipedInputs();
    registered.sql = sqlWith([
      { name: 'xp_instance_regread', dllName: 'xpstar.dll' },
      { name: 'xp_sqlhelper', dllName: GONE },
    ]);
    const present = wipedInputs();
    present.dlls = [binnDll(), { path: GONE, file: { present: true, path: GONE, isPe: true, isEsp: true, signed: false, yara: [] }, suspicion: 'suspicious', reasons: [], foundBy: 'named' }];
    const noExport = wipedInputs();
    noExport.sql = undefined;
    const logsOnly = wipedInputs();
    logsOnly.dlls = [goneDll()];
    for (const inputs of [registered, present, noExport, logsOnly]) {
      const r = assembleResult(inputs, meta);
      expect(r.findings.some((x) => x.ruleId === USED_THEN_REMOVED)).toBe(false);
    }
  });
});

describe('a DLL only Sysmon saw loaded into sqlservr.exe, now gone', () => {
  it('→ medium, saying that only Sysmon saw it', () => {
    const inputs = wipedInputs();
    inputs.events = [sysmonEvent(7, '2026-03-14T02:21:00.0000000Z', { Image: `${BINN}\\sqlservr.exe`, ImageLoaded: GONE, Signed: 'false' })];
    const r = assembleResult(inputs, meta);
    const f = r.findings.find((x) => x.ruleId === USED_THEN_REMOVED);
    expect(f?.severity).toBe('medium');
    expect(f?.title).toBe(`DLL loaded into sqlservr.exe, then removed: ${GONE}`);
    expect(f?.explanation).toMatch(/Only Sysmon saw it/);
  });
});

function errorlogStats(starts: string[], dir = LOG_DIR): ArtefactStats[] {
  return starts.map((first, i) => ({ ...stats(`ERRORLOG (MSSQLSERVER)`, `${dir}\\${i === 0 ? 'ERRORLOG' : `ERRORLOG.${i}`}`, [], 'errorlog'), first }));
}

describe('ERRORLOG cycled many times in a short window', () => {
  const base = { esps: [], events: [], sql: undefined, dlls: [] };
  it('5 generations begun within an hour → one medium finding with each generation as timed evidence', () => {
    const starts = ['2026-03-14T03:30:00.000Z', '2026-03-14T03:20:00.000Z', '2026-03-14T03:10:00.000Z', '2026-03-14T03:05:00.000Z', '2026-03-14T02:40:00.000Z', '2026-03-01T08:00:00.000Z'];
    const out = findingsFromAntiForensics({ ...base, stats: errorlogStats(starts) });
    expect(out).toHaveLength(1);
    expect(out[0]?.severity).toBe('medium');
    expect(out[0]?.title).toBe('ERRORLOG restarted 5 times within 50 minutes');
    expect(out[0]?.evidence.map((e) => e.timestamp)).toEqual([...starts.slice(0, 5)].sort());
    expect([out[0]?.firstSeen, out[0]?.lastSeen]).toEqual(['2026-03-14T02:40:00.000Z', '2026-03-14T03:30:00.000Z']);
    expect(out[0]?.explanation).toMatch(/No generation says it was cycled on request/);
  });

  it('4 in an hour, 5 over more than an hour, or 5 spread over two instances → nothing', () => {
    const four = errorlogStats(['2026-03-14T03:30:00.000Z', '2026-03-14T03:20:00.000Z', '2026-03-14T03:10:00.000Z', '2026-03-14T03:05:00.000Z']);
    const slow = errorlogStats(['2026-03-14T04:00:00.000Z', '2026-03-14T03:30:00.000Z', '2026-03-14T03:10:00.000Z', '2026-03-14T03:05:00.000Z', '2026-03-14T02:59:59.000Z']);
    const split = [...four, ...errorlogStats(['2026-03-14T03:31:00.000Z'], 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.OTHER\\MSSQL\\Log')];
    for (const s of [four, slow, split]) expect(findingsFromAntiForensics({ ...base, stats: s })).toEqual([]);
  });

  it('planted generations: 20,000 files in one folder give one finding with capped evidence; impossible dates are ignored', () => {
    const t0 = Date.parse('2026-03-14T02:00:00.000Z');
    const many = errorlogStats(Array.from({ length: 20_000 }, (_, i) => new Date(t0 + i * 100).toISOString()));
    const out = findingsFromAntiForensics({ ...base, stats: many });
    expect(out.map((f) => [f.count, f.evidence.length])).toEqual([[20_000, 10]]);
    const bad = errorlogStats(['2026-99-99T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-03-14T03:00:00.000Z', '2026-03-14T03:01:00.000Z', '2026-03-14T03:02:00.000Z']);
    expect(findingsFromAntiForensics({ ...base, stats: bad })).toEqual([]);
  });

  it('the generations show in the assembled timeline', () => {
    const inputs = wipedInputs();
    inputs.stats.push(...errorlogStats(['2026-03-14T03:30:00.000Z', '2026-03-14T03:20:00.000Z', '2026-03-14T03:10:00.000Z', '2026-03-14T03:05:00.000Z', '2026-03-14T02:40:00.000Z']));
    const r = assembleResult(inputs, meta);
    const rows = r.timeline.filter((t) => t.ruleIds.includes('espy.anti-forensics.errorlog-cycled'));
    expect(rows.map((t) => t.source)).toEqual(['ERRORLOG.4', 'ERRORLOG.3', 'ERRORLOG.2', 'ERRORLOG.1', 'ERRORLOG']);
    expect(rows.every((t) => t.severity === 'medium')).toBe(true);
  });
});
