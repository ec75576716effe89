import { describe, expect, it } from 'vitest';
import type { EvidenceRef, Finding, Severity } from '../../detection/analysis-result.js';
import { assembleResult } from '../../detection/analyze/assemble.js';
import { INCIDENT_QUIET_GAP_MS, incidentClusters, incidentWindow, isDuringIncident } from '../../detection/analyze/incident-window.js';
import type { AnalysisInputs, RuleHit, SourcedEvent, SqlFacts } from '../../detection/analyze/inputs.js';
import { renderReport } from '../../report-templates/index.js';
import { GENERATED_AT, TEMPLATES } from '../report/templates.js';
import { mssqlEvent, stats, sysmonEvent, testMeta } from './builders.js';

let seq = 0;
function finding(severity: Severity, times: string[], opts: { esp?: boolean; kind?: EvidenceRef['kind'] } = {}): Finding {
  seq++;
  return {
    id: `F${seq}`,
    ruleId: `r${seq}`,
    title: `finding ${seq}`,
    severity,
    attack: opts.esp ? ['T1505.001'] : ['T1059'],
    source: opts.esp ? 'esp' : 'sigma',
    explanation: '',
    nextSteps: [],
    evidence: times.map((t) => ({ artefact: 'x', kind: opts.kind ?? 'evtx', timestamp: t, excerpt: '' })),
    count: times.length,
  };
}

describe('incidentClusters / incidentWindow', () => {
  it('an old high event does not stretch the window; it is reported as outside', () => {
    const old = finding('high', ['2019-06-02T08:00:00.000Z']);
    const esp = finding('critical', ['2026-03-14T02:21:00.000Z', '2026-03-14T05:00:00.000Z'], { esp: true });
    const brute = finding('high', ['2026-03-13T23:00:00.000Z']);
    const w = incidentWindow([old, esp, brute]);
    expect(w?.start).toBe('2026-03-13T23:00:00.000Z');
    expect(w?.end).toBe('2026-03-14T05:00:00.000Z');
    expect(w?.outside.map((c) => [c.start, c.count])).toEqual([['2019-06-02T08:00:00.000Z', 1]]);
  });

  it('splits only at gaps longer than a week', () => {
    const t0 = Date.parse('2026-03-01T00:00:00.000Z');
    const iso = (ms: number): string => new Date(ms).toISOString();
    const at = [t0, t0 + INCIDENT_QUIET_GAP_MS, t0 + 2 * INCIDENT_QUIET_GAP_MS + 1];
    const cs = incidentClusters([finding('high', at.map(iso))]);
    expect(cs.map((c) => [c.start, c.end, c.count])).toEqual([
      [iso(at[0]!), iso(at[1]!), 2],
      [iso(at[2]!), iso(at[2]!), 1],
    ]);
  });

  it('the window spans every cluster with the most severe ESP evidence, not the others', () => {
    const registered = finding('critical', ['2026-01-05T10:00:00.000Z'], { esp: true });
    const used = finding('critical', ['2026-03-14T02:21:00.000Z'], { esp: true });
    const highEspElsewhere = finding('high', ['2025-06-01T00:00:00.000Z'], { esp: true });
    const w = incidentWindow([registered, used, highEspElsewhere]);
    expect([w?.start, w?.end]).toEqual(['2026-01-05T10:00:00.000Z', '2026-03-14T02:21:00.000Z']);
    expect(w?.clusters.length).toBe(2);
    // Between two clusters is not "during": only inside one, or the day after it.
    expect(isDuringIncident('2026-02-10T00:00:00.000Z', w)).toBe(false);
    expect(isDuringIncident('2026-03-14T20:00:00.000Z', w)).toBe(true);
    expect(isDuringIncident('2026-03-16T00:00:00.000Z', w)).toBe(false);
  });

  it('many clusters (one every 8 days for 40 years) stay one window around the ESP evidence', () => {
    const t0 = Date.parse('1990-01-01T00:00:00.000Z');
    const noise = finding(
      'high',
      Array.from({ length: 1_800 }, (_, i) => new Date(t0 + i * 8 * 24 * 3_600_000).toISOString()),
    );
    const esp = finding('critical', ['2030-01-01T00:00:00.000Z'], { esp: true });
    const w = incidentWindow([noise, esp]);
    expect([w?.start, w?.end, w?.clusters.length, w?.outside.length]).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z', 1, 1_800]);
  });

  it('200,000 clusters (forged evidence) do not overflow the call stack', () => {
    const t0 = Date.parse('1970-01-02T00:00:00.000Z');
    const times = Array.from({ length: 200_000 }, (_, i) => new Date(t0 + i * 8 * 24 * 3_600_000).toISOString());
    const w = incidentWindow([finding('high', times)]);
    expect(w?.outside.length).toBe(199_999);
  });

  it('without ESP evidence: the largest cluster; file times and medium findings never count', () => {
    const w = incidentWindow([
      finding('high', ['2026-01-01T00:00:00.000Z']),
      finding('high', ['2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z']),
      finding('critical', ['2018-01-01T00:00:00.000Z'], { kind: 'pe' }),
      finding('medium', ['2026-06-01T00:00:00.000Z']),
    ]);
    expect([w?.start, w?.end]).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z']);
    expect(incidentWindow([finding('medium', ['2026-06-01T00:00:00.000Z'])])).toBeUndefined();
  });
});

const meta = testMeta();

function hit(ev: SourcedEvent, level: Severity): RuleHit {
  return { ruleId: 'rule-old', title: 'Old process under sqlservr', level, tags: ['attack.t1059'], description: 'd', falsepositives: [], event: ev };
}

describe('logins created during the incident (assembled)', () => {
  it('a login created at installation time is not "during the incident" beside a years-old high event', () => {
    const BACKDOOR = 'C:\\ProgramData\\maggie.dll';
    const old = sysmonEvent(1, '2019-06-02T08:00:00.0000000Z', { Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'C:\\x\\sqlservr.exe' });
    const inputs: AnalysisInputs = {
      hostName: 'SQL01',
      sqlInstances: [{ name: 'MSSQLSERVER', provider: 'MSSQLSERVER', errorlogPaths: [] }],
      events: [old, mssqlEvent(8128, '2026-03-14T02:21:00.0000000Z', [BACKDOOR, '1.0', 'maggie'])],
      hits: [hit(old, 'high')],
      sql: undefined,
      dlls: [
        { path: BACKDOOR, file: { present: true, path: BACKDOOR, isPe: true, isEsp: true, exports: ['maggie'], signed: false, yara: [] }, suspicion: 'suspicious', reasons: [], foundBy: 'named' },
      ],
      missingDlls: [],
      stats: [stats('Application', 'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx', [8128])],
      errors: [],
    };
    const sql: SqlFacts = {
      files: ['sql/server_principals.csv'],
      esps: undefined,
      principals: [
        { name: 'NT SERVICE\\MSSQLSERVER', typeDesc: 'WINDOWS_LOGIN', createDate: '2024-11-04 09:58:31.207', file: 'sql/server_principals.csv', line: 2 },
        { name: 'svc_backup', typeDesc: 'SQL_LOGIN', createDate: '2026-03-14 02:25:00.000', file: 'sql/server_principals.csv', line: 3 },
      ],
      roleMembers: [],
      configurations: undefined,
      utcOffsetMinutes: 0,
      errors: [],
    };
    inputs.sql = sql;
    const r = assembleResult(inputs, meta);
    expect(r.verdict.verdict).toBe('COMPROMISED');
    expect(r.incidentWindow?.start.slice(0, 4)).toBe('2026');
    expect(r.incidentWindow?.outside?.[0]?.start.slice(0, 4)).toBe('2019');
    expect(r.logins.find((l) => l.name === 'NT SERVICE\\MSSQLSERVER')?.createdDuringIncident).toBe(false);
    expect(r.logins.find((l) => l.name === 'svc_backup')?.createdDuringIncident).toBe(true);
    expect(r.findings.filter((f) => f.ruleId === 'espy.login.created-during-incident').map((f) => f.title)).toEqual(["Login 'svc_backup' created during the incident"]);
    // The report says what the window left out.
    const doc = renderReport(r, TEMPLATES, { generatedAt: GENERATED_AT });
    expect(doc).toMatch(/Left out of the window, separated from it by quiet weeks: 1 high or critical item from 2019-06-02/);
  });
});
