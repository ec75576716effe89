import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { runCli } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';

const out = mkdtempSync(join(tmpdir(), 'espy-wiped-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function analyzeHost(name: string): Promise<{ verdict: string; result: AnalysisResult }> {
  const dir = join(out, name);
  const r = await runCli(['--json', 'analyze', join(SAMPLES, name), '--out', dir]);
  expect(r.code).toBe(0);
  const result = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')) as AnalysisResult;
  return { verdict: (JSON.parse(r.stdout) as { verdict: string }).verdict, result };
}

const RULE = {
  securityCleared: '52b68ab3-b977-4565-9485-4d6de65efcf7',
  logCleared: 'c620f7c7-0a65-45fd-9205-f7f124a695ee',
  auditRemoved: 'd2f91803-d74d-4fb5-8749-6063ee0c5e71',
  usedThenRemoved: 'espy.anti-forensics.esp-used-then-removed',
  errorlogCycled: 'espy.anti-forensics.errorlog-cycled',
} as const;

describe('host-wiped: backdoor used then removed, logs cleared', () => {
  it('→ COMPROMISED, with the log clearing, the audit change, the ERRORLOG cycling and the removed DLL as findings and in the timeline', async () => {
    const { verdict, result } = await analyzeHost('host-wiped');
    expect(verdict).toBe('COMPROMISED');
    const by = (id: string) => result.findings.filter((f) => f.ruleId === id);
    const sev = (id: string) => by(id).map((f) => f.severity);
    expect(sev(RULE.securityCleared)).toEqual(['high']);
    expect(sev(RULE.logCleared)).toEqual(['high']);
    expect(sev(RULE.auditRemoved)).toEqual(['high']);
    expect(sev(RULE.usedThenRemoved)).toEqual(['high']);
    expect(sev(RULE.errorlogCycled)).toEqual(['medium']);

    const cleared = by(RULE.securityCleared)[0]!;
    expect(cleared.evidence.map((e) => [e.recordId, e.excerpt.includes('SubjectUserName=MSSQLSERVER')])).toEqual([[1, true]]);
    expect(cleared.nextSteps.join(' ')).toMatch(/who cleared the log/);
    expect(by(RULE.logCleared)[0]!.evidence[0]?.excerpt).toContain('Channel=System');

    const removed = by(RULE.usedThenRemoved)[0]!;
    expect(removed.title).toBe('ESP DLL used, then removed: C:\\Windows\\Temp\\sqlsrvhelper.dll');
    expect(removed.explanation).toMatch(/ERRORLOG\.5 8128/);
    expect(removed.explanation).toMatch(/Sysmon 7/);
    const cycled = by(RULE.errorlogCycled)[0]!;
    expect(cycled.title).toBe('ERRORLOG restarted 5 times within 1 minute');
    expect(cycled.explanation).toContain('5 requests to cycle the log (sp_cycle_errorlog or DBCC ERRORLOG, session spid66) came just before them');
    expect(cycled.explanation).toContain('generations in C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Log began');
    expect(by('73196d02-0085-407b-a337-181c111dd76d').map((f) => [f.severity, f.count])).toEqual([['low', 5]]);

    // The backdoor itself is still the first finding; the DLL is gone from disk and the list.
    const esp = result.esps[0];
    expect(esp?.dll).toBe('C:\\Windows\\Temp\\sqlsrvhelper.dll');
    expect(esp?.suspicion).toBe('malicious');
    expect([esp?.registered, esp?.file?.present]).toEqual([false, false]);
    expect(result.findings[0]?.ruleId).toBe('espy.esp.backdoor');

    for (const id of Object.values(RULE))
      expect(
        result.timeline.some((t) => t.ruleIds.includes(id)),
        id,
      ).toBe(true);
    expect(result.timeline.filter((t) => t.ruleIds.includes(RULE.securityCleared)).map((t) => t.eventId)).toEqual([1102]);
    expect(result.incidentWindow).toEqual({ start: '2026-04-08T23:41:07.330343Z', end: '2026-04-09T00:34:05.660187Z' });
  });

  it('`espy hunt` sees the log clearing and the audit change too (they are Sigma rules)', async () => {
    const r = await runCli(['--json', 'hunt', join(SAMPLES, 'host-wiped')]);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ruleId: string; eventId: number; level: string });
    const af = rows.filter((x) => [RULE.securityCleared, RULE.logCleared, RULE.auditRemoved].includes(x.ruleId as never));
    expect(af.map((x) => [x.eventId, x.level]).sort()).toEqual([
      [104, 'high'],
      [1102, 'high'],
      [4719, 'high'],
    ]);
  });

  it('host-maggie keeps its verdict, window and backdoor login', async () => {
    const { verdict, result } = await analyzeHost('host-maggie');
    expect(verdict).toBe('COMPROMISED');
    expect(result.incidentWindow).toEqual({ start: '2026-03-11T01:12:03.410422Z', end: '2026-03-12T22:42:03.332611Z' });
    expect(result.logins.filter((l) => l.createdDuringIncident).map((l) => l.name)).toEqual(['sqladm_svc']);
    expect(result.findings.some((f) => f.ruleId.startsWith('espy.anti-forensics.'))).toBe(false);
  });
});
