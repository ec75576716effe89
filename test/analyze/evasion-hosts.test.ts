/**
 * The evasion sample hosts: a trojanised Binn DLL with a forged Microsoft signer must not pass
 * as Microsoft's, and a validly signed third-party ESP stays worth a look.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT, SAMPLES } from '../support/paths.js';

const out = mkdtempSync(join(tmpdir(), 'espy-evasion-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const CONTOSO_ROOT = join(REPO_ROOT, 'scripts', 'samples', 'dlls', 'signing', 'contoso-root.crt');
const TROJAN_PATH = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn\\xpstar.dll';

async function analyzeHost(name: string, extra: string[] = [], tag = name): Promise<{ verdict: string; result: AnalysisResult; code: number; stderr: string }> {
  const dir = join(out, tag);
  const r = await runCli(['--json', 'analyze', join(SAMPLES, name), '--out', dir, ...extra]);
  expect(r.stderr).not.toMatch(/internal error/i);
  const json = JSON.parse(r.stdout) as { verdict: string };
  const result = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')) as AnalysisResult;
  return { verdict: json.verdict, result, code: r.code, stderr: r.stderr };
}

describe('host-trojan: Binn xpstar.dll replaced, self-signed certificate claiming Microsoft', () => {
  it("is not NO_INDICATORS: a critical finding names the DLL and says the signature is not Microsoft's", async () => {
    const { verdict, result } = await analyzeHost('host-trojan');
    expect(verdict).not.toBe('NO_INDICATORS');
    expect(verdict).toBe('COMPROMISED');
    const esp = result.esps.find((e) => e.dll.toLowerCase() === TROJAN_PATH.toLowerCase());
    expect(esp?.file?.signature?.status).toBe('untrusted');
    expect(esp?.file?.signature?.claimsMicrosoft).toBe(true);
    expect(esp?.file?.signature?.microsoftSigned).toBe(false);
    expect(esp?.suspicion).toBe('malicious');
    expect(esp?.reasons.join(' ')).not.toMatch(/Microsoft-signed\b(?!:)/);
    const f = result.findings.find((x) => x.ruleId === 'espy.esp.false-microsoft-signature');
    expect(f?.severity).toBe('critical');
    expect(f?.title).toContain('xpstar.dll');
    expect(f?.explanation).toContain(TROJAN_PATH);
    expect(f?.explanation).toMatch(/untrusted/i);
    expect(f?.explanation).toMatch(/Microsoft Corporation/);
    expect(f?.nextSteps.length).toBeGreaterThan(1);
    expect(f?.evidence.some((e) => e.kind === 'pe' && e.artefact === TROJAN_PATH)).toBe(true);
    expect(f?.evidence.some((e) => e.kind === 'evtx' || e.kind === 'errorlog')).toBe(true);
    // The report's ESP table says it in words, and what "signed" does not cover.
    const html = readFileSync(join(out, 'host-trojan', 'report.html'), 'utf8');
    expect(html).toContain('untrusted self-signed certificate claiming Microsoft Corporation');
    expect(html).toMatch(/Not checked: catalog \(\.cat\) signatures, revocation/);
    // The other Binn DLLs are the usual unsigned stand-ins: a low note each, nothing more.
    const others = result.findings.filter((x) => x.id !== f?.id && x.severity !== 'low' && x.severity !== 'informational');
    expect(others.filter((x) => /xplog70|xpsqlbot/i.test(x.title))).toEqual([]);
  });
});

describe('host-trojan against a baseline of host-clean (a known-good server of the same build)', () => {
  it('flags xpstar.dll, and only it, as changed since the baseline', async () => {
    const baselinePath = join(out, 'clean-baseline.json');
    const c = await runCli(['--json', 'baseline', 'create', join(SAMPLES, 'host-clean'), '-o', baselinePath]);
    expect(c.code).toBe(0);
    const { result } = await analyzeHost('host-trojan', ['--baseline', baselinePath], 'host-trojan-baseline');
    const changed = result.findings.filter((f) => f.ruleId === 'espy.baseline.esp-dll-changed');
    expect(changed.map((f) => f.title)).toEqual([`ESP DLL changed since the baseline: ${TROJAN_PATH}`]);
    expect(changed[0]?.severity).toBe('high');
    const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as { esps: { dll: string; sha256?: string }[] };
    const cleanSha = baseline.esps.find((r) => r.dll.toLowerCase() === TROJAN_PATH.toLowerCase())?.sha256;
    expect(cleanSha).toMatch(/^[0-9a-f]{64}$/);
    expect(changed[0]?.explanation).toContain(cleanSha ?? '?');
  });
});

describe('host-vendor: a third-party ESP validly signed by a CA the analyst trusts', () => {
  it("with --trust that CA → SUSPICIOUS: the signature is valid, not Microsoft's", async () => {
    const { verdict, result, code } = await analyzeHost('host-vendor', ['--trust', CONTOSO_ROOT], 'host-vendor-trusted');
    expect(code).toBe(0);
    expect(verdict).toBe('SUSPICIOUS');
    const esp = result.esps.find((e) => /ctxaudit\.dll$/i.test(e.dll));
    expect(esp?.file?.signature?.status).toBe('valid');
    expect(esp?.file?.signature?.microsoftSigned).toBe(false);
    expect(esp?.suspicion).toBe('suspicious');
    expect(esp?.reasons.join(' ')).toMatch(/trust anchor you gave/);
    const f = result.findings.find((x) => x.title.includes('ctxaudit.dll'));
    expect(f?.severity).toBe('high');
    expect(result.findings.some((x) => x.severity === 'critical')).toBe(false);
  });

  it('without --trust the chain ends at an unknown root: an executed ESP outside SQL Server → COMPROMISED', async () => {
    const { verdict, result } = await analyzeHost('host-vendor', [], 'host-vendor-untrusted');
    expect(verdict).toBe('COMPROMISED');
    const esp = result.esps.find((e) => /ctxaudit\.dll$/i.test(e.dll));
    expect(esp?.file?.signature?.status).toBe('untrusted');
  });
});
