import { describe, expect, it } from 'vitest';
import { assembleResult } from '../../detection/analyze/assemble.js';
import type { AnalysisInputs, DllFacts } from '../../detection/analyze/inputs.js';
import { mssqlEvent, stats, sysmonEvent, testMeta } from './builders.js';

const known = { dlls: new Set(['xpstar.dll', 'xplog70.dll']), procedures: new Set(['xp_instance_regread', 'xp_cmdshell', 'xp_msver']) };
const meta = testMeta(known);

function baseInputs(): AnalysisInputs {
  return {
    hostName: 'SQL01',
    sqlInstances: [{ name: 'MSSQLSERVER', provider: 'MSSQLSERVER', errorlogPaths: [] }],
    events: [],
    hits: [],
    sql: undefined,
    dlls: [],
    missingDlls: [],
    stats: [stats('Application', 'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx', [8128, 18456])],
    errors: [],
  };
}

const BACKDOOR = 'C:\\ProgramData\\maggie.dll';

function backdoorDll(): DllFacts {
  return {
    path: BACKDOOR,
    file: { present: true, path: BACKDOOR, sha256: 'ab'.repeat(32), isPe: true, isEsp: true, exports: ['maggie', '__GetXpVersion'], signed: false, yara: [] },
    suspicion: 'suspicious',
    reasons: ['ESP DLL outside Binn'],
    foundBy: 'named',
  };
}

describe('assembleResult', () => {
  it('an ESP executed from outside Binn, unsigned → COMPROMISED, that ESP first', () => {
    const inputs = baseInputs();
    inputs.events.push(
      mssqlEvent(8128, '2026-03-14T02:20:00.0000000Z', ['xpstar.dll', '2017.140.1000', 'xp_instance_regread']),
      mssqlEvent(8128, '2026-03-14T02:21:00.0000000Z', [BACKDOOR, '1.0', 'maggie']),
      sysmonEvent(7, '2026-03-14T02:21:00.0000000Z', { Image: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe', ImageLoaded: BACKDOOR }),
    );
    inputs.dlls.push(backdoorDll());
    const r = assembleResult(inputs, meta);
    expect(r.verdict.verdict).toBe('COMPROMISED');
    expect(r.esps[0]?.procedures).toEqual(['maggie']);
    expect(r.esps[0]?.suspicion).toBe('malicious');
    expect(r.esps[0]?.executions.count).toBe(1);
    expect(r.esps[0]?.loads.count).toBe(1);
    expect(r.findings[0]?.severity).toBe('critical');
    expect(r.findings[0]?.title).toContain('maggie');
    expect(r.findings[0]?.evidence.some((e) => e.kind === 'pe')).toBe(true);
    const xpstar = r.esps.find((e) => e.dll === 'xpstar.dll');
    expect(xpstar?.suspicion).toBe('benign');
    expect(r.incidentWindow?.start).toBe('2026-03-14T02:21:00.0000000Z');
  });

  it('only Microsoft ESPs from Binn → NO_INDICATORS, naming what was not checked', () => {
    const inputs = baseInputs();
    inputs.events.push(mssqlEvent(8128, '2026-03-14T02:20:00.0000000Z', ['xpstar.dll', '2017.140.1000', 'xp_instance_regread']));
    const r = assembleResult(inputs, meta);
    expect(r.verdict.verdict).toBe('NO_INDICATORS');
    expect(r.findings.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
    expect(r.verdict.reasons.join('\n')).toMatch(/not checked: no Sysmon log/);
    expect(r.verdict.reasons.join('\n')).toMatch(/not checked: no SQL export|SQL/);
  });

  it('8131 (no __GetXpVersion) marks the DLL malicious even without the file', () => {
    const inputs = baseInputs();
    inputs.events.push(mssqlEvent(8131, '2026-03-14T02:20:00.0000000Z', ['C:\\Windows\\Temp\\x.dll']));
    const r = assembleResult(inputs, meta);
    expect(r.esps[0]?.suspicion).toBe('malicious');
    expect(r.verdict.verdict).toBe('COMPROMISED');
  });

  it('a login created during the incident with sysadmin becomes a critical finding', () => {
    const inputs = baseInputs();
    inputs.events.push(mssqlEvent(8128, '2026-03-14T02:21:00.0000000Z', [BACKDOOR, '1.0', 'maggie']));
    inputs.dlls.push(backdoorDll());
    inputs.sql = {
      files: ['sql/server_principals.csv'],
      esps: [{ name: 'maggie', dllName: BACKDOOR, createDate: '2026-03-14 03:19:00.000', isMsShipped: false, file: 'sql/extended_procedures.csv', line: 2 }],
      principals: [
        { name: 'sa', typeDesc: 'SQL_LOGIN', createDate: '2003-04-08 09:10:35.460', file: 'sql/server_principals.csv', line: 2 },
        { name: 'svc_backup', typeDesc: 'SQL_LOGIN', createDate: '2026-03-14 03:25:00.000', file: 'sql/server_principals.csv', line: 3 },
      ],
      roleMembers: [{ roleName: 'sysadmin', memberName: 'svc_backup', file: 'sql/sysadmins.csv', line: 2 }],
      configurations: undefined,
      utcOffsetMinutes: 60,
      errors: [],
    };
    const r = assembleResult(inputs, meta);
    const login = r.logins.find((l) => l.name === 'svc_backup');
    expect(login?.createDate).toBe('2026-03-14T02:25:00.0000000Z');
    expect(login?.createdDuringIncident).toBe(true);
    expect(login?.isSysadmin).toBe(true);
    expect(r.logins.find((l) => l.name === 'sa')?.createdDuringIncident).toBe(false);
    expect(r.findings.some((f) => f.ruleId === 'espy.login.created-during-incident' && f.severity === 'critical')).toBe(true);
    expect(r.esps[0]?.registered).toBe(true);
    expect(r.timeline.some((t) => t.message.includes('svc_backup'))).toBe(true);
  });

  it('a baseline flags an ESP that is not in it', () => {
    const inputs = baseInputs();
    inputs.events.push(mssqlEvent(8128, '2026-03-14T02:20:00.0000000Z', ['xpstar.dll', '2017.140.1000', 'xp_instance_regread']));
    inputs.events.push(mssqlEvent(8128, '2026-03-14T02:20:00.0000000Z', ['xplog70.dll', '2017.140.1000', 'xp_msver']));
    inputs.baseline = { schema: 'espy-baseline/1', createdAt: '', host: 'SQL01', esps: [{ procedure: 'xp_instance_regread', dll: 'xpstar.dll' }] };
    const r = assembleResult(inputs, meta);
    expect(r.esps.find((e) => e.dll === 'xpstar.dll')?.inBaseline).toBe(true);
    const xplog = r.esps.find((e) => e.dll === 'xplog70.dll');
    expect(xplog?.inBaseline).toBe(false);
    expect(xplog?.suspicion).toBe('suspicious');
    expect(r.verdict.verdict).toBe('SUSPICIOUS');
  });
});

describe('ERRORLOG twins of event-log events', () => {
  it('count once, stay evidence from both sources', () => {
    const inputs = baseInputs();
    const evtx = mssqlEvent(8128, '2026-03-14T02:21:00.1234567Z', [BACKDOOR, '1.0', 'maggie']);
    const errorlog = {
      ...mssqlEvent(8128, '2026-03-14T02:21:00.1200000Z', [BACKDOOR, '1.0', 'maggie']),
      kind: 'errorlog' as const,
      artefact: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Log\\ERRORLOG',
    };
    const later = { ...mssqlEvent(8128, '2026-03-14T03:00:00.0000000Z', [BACKDOOR, '1.0', 'maggie']), kind: 'errorlog' as const, artefact: errorlog.artefact };
    inputs.events.push(evtx, errorlog, later);
    inputs.dlls.push(backdoorDll());
    const r = assembleResult(inputs, meta);
    expect(r.esps[0]?.executions.count).toBe(2);
    expect(r.esps[0]?.executions.sources).toEqual(['Application.evtx 8128', 'ERRORLOG 8128']);
  });
});
