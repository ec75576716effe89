import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { runCli } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';

const out = mkdtempSync(join(tmpdir(), 'espy-analyze-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function analyzeHost(name: string): Promise<{ json: Record<string, unknown>; result: AnalysisResult; code: number }> {
  const dir = join(out, name);
  const r = await runCli(['--json', 'analyze', join(SAMPLES, name), '--out', dir]);
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  const result = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')) as AnalysisResult;
  return { json, result, code: r.code };
}

describe('espy analyze on the sample hosts', () => {
  it('host-maggie → COMPROMISED, the maggie ESP and its DLL first', async () => {
    const { json, result, code } = await analyzeHost('host-maggie');
    expect(code).toBe(0);
    expect(json['verdict']).toBe('COMPROMISED');
    const first = result.findings[0];
    expect(first?.severity).toBe('critical');
    expect(first?.title).toMatch(/'maggie'/);
    expect(first?.evidence[0]?.kind).toBe('pe');
    expect(first?.evidence[0]?.artefact).toMatch(/^C:\\ProgramData\\.+\.dll$/i);
    const esp = result.esps[0];
    expect(esp?.procedures).toContain('maggie');
    expect(esp?.suspicion).toBe('malicious');
    expect(esp?.registered).toBe(true);
    expect(esp?.location).toBe('outside');
    expect(esp?.file?.yara.length).toBeGreaterThan(0);
    expect(esp?.executions.count).toBeGreaterThan(0);
    // The story's other parts: brute force then success, the backdoor login, sqlservr children.
    const ids = result.findings.map((f) => f.title).join('\n');
    expect(ids).toMatch(/Brute Force/i);
    expect(result.logins.some((l) => l.createdDuringIncident && l.isSysadmin)).toBe(true);
    expect(result.findings.some((f) => f.ruleId === 'espy.login.created-during-incident')).toBe(true);
    expect(result.timeline.length).toBeGreaterThan(10);
    expect(result.incidentWindow).toBeDefined();
    // The window comes from logged evidence, not file times (a checkout rewrites those).
    expect(result.incidentWindow?.end.slice(0, 4)).toBe(result.incidentWindow?.start.slice(0, 4));
    // --json prints findings with severity, title and evidence.
    const findings = json['findings'] as { severity: string; title: string; evidence: unknown[] }[];
    expect(findings.length).toBe(result.findings.length);
    expect(findings.every((f) => f.severity && f.title && Array.isArray(f.evidence))).toBe(true);
  });

  it('host-renamed → COMPROMISED through generic rules (no "maggie" anywhere)', async () => {
    const { json, result } = await analyzeHost('host-renamed');
    expect(json['verdict']).toBe('COMPROMISED');
    // Nothing in the evidence names Maggie: the rule that fires on the word must not carry it.
    expect(JSON.stringify({ esps: result.esps, logins: result.logins }).toLowerCase()).not.toContain('maggie');
    expect(result.findings.some((f) => /maggie/i.test(f.title))).toBe(false);
    const esp = result.esps[0];
    expect(esp?.suspicion).toBe('malicious');
    expect(esp?.dll).toMatch(/^C:\\Windows\\Temp\\/i);
    expect(result.host.sqlInstances.map((i) => i.provider)).toContain('MSSQL$REPORTING');
    const sysmon = result.coverage.find((c) => c.source === 'Sysmon');
    expect(sysmon?.present).toBe(false);
  });

  it('host-clean → NO_INDICATORS with no high or critical finding, and says what it covered', async () => {
    const { json, result } = await analyzeHost('host-clean');
    expect(json['verdict']).toBe('NO_INDICATORS');
    expect(result.findings.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
    expect(result.esps.every((e) => e.suspicion !== 'malicious' && e.suspicion !== 'suspicious')).toBe(true);
    expect(result.coverage.every((c) => c.present)).toBe(true);
  });
});

describe('espy analyze on an encrypted bundle', () => {
  it('refuses without the password (exit 2) instead of reporting an empty host; reads it with --password-env', async () => {
    const dir = join(out, 'enc');
    const env = { ESPY_TEST_PW: 'correct horse' };
    const c = await runCli(['--json', 'collect', '--source', join(SAMPLES, 'host-clean'), '--out', dir, '--password-env', 'ESPY_TEST_PW'], { env });
    expect(c.code).toBe(0);
    const bundle = (JSON.parse(c.stdout) as { bundle: string }).bundle;
    const without = await runCli(['analyze', bundle, '--out', join(dir, 'a1')]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/encrypted bundle/);
    const withPw = await runCli(['--json', 'analyze', bundle, '--out', join(dir, 'a2'), '--password-env', 'ESPY_TEST_PW'], { env });
    expect(withPw.code).toBe(0);
    expect((JSON.parse(withPw.stdout) as { verdict: string }).verdict).toBe('NO_INDICATORS');
  });
});
