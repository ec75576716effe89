/**
 * The ESP trust rules on synthetic inputs: what a signature, a DLL name and a baseline hash
 * make of an ESP DLL, through the whole pure analysis (inventory, findings, verdict).
 */
import { describe, expect, it } from 'vitest';
import type { EspFile, EspFileSignature } from '../../detection/analysis-result.js';
import { assembleResult } from '../../detection/analyze/assemble.js';
import { assessEspTrust, baselineHashesFor } from '../../detection/analyze/esp-trust.js';
import { createBaseline, parseBaseline } from '../../detection/baseline.js';
import type { AnalysisInputs, Baseline, DllFacts } from '../../detection/analyze/inputs.js';
import { mssqlEvent, stats, sysmonEvent, testMeta } from './builders.js';

const known = { dlls: new Set(['xpstar.dll', 'xplog70.dll']), procedures: new Set(['xp_dirtree', 'xp_instance_regread', 'xp_cmdshell', 'xp_msver']) };
const meta = testMeta(known);
const BINN = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn';
const XPSTAR = `${BINN}\\xpstar.dll`;
const SHA = 'ab'.repeat(32);

const SIG = {
  microsoft: { status: 'valid', microsoftSigned: true, claimsMicrosoft: true, description: 'valid, Microsoft Corporation via Microsoft Code Signing PCA 2011' },
  forged: { status: 'untrusted', microsoftSigned: false, claimsMicrosoft: true, description: 'untrusted self-signed certificate claiming Microsoft Corporation' },
  alteredMicrosoft: { status: 'bad-digest', microsoftSigned: false, claimsMicrosoft: true, description: 'altered after signing (digest mismatch), signer claims Microsoft Corporation' },
  oldMicrosoftRoot: {
    status: 'untrusted',
    microsoftSigned: false,
    claimsMicrosoft: true,
    description: 'untrusted signature by Microsoft Corporation via Microsoft Code Signing PCA claiming Microsoft Corporation (chain ends at CN=Microsoft Code Signing PCA, not a trust anchor)',
  },
  notMicrosoftEvil: { status: 'untrusted', microsoftSigned: false, claimsMicrosoft: true, description: 'untrusted self-signed certificate CN=Not Microsoft Evil Ltd' },
  vendor: { status: 'valid', microsoftSigned: false, claimsMicrosoft: false, description: 'valid, Contoso Ltd. via Contoso Test Root' },
  otherUntrusted: { status: 'untrusted', microsoftSigned: false, claimsMicrosoft: false, description: 'untrusted self-signed certificate CN=Acme' },
  unsigned: { status: 'unsigned', microsoftSigned: false, claimsMicrosoft: false, description: 'not signed' },
} satisfies Record<string, EspFileSignature>;

function dllFacts(path: string, o: { exports?: string[]; signature?: EspFileSignature; company?: string; sha256?: string; signer?: string; isEsp?: boolean }): DllFacts {
  const file: EspFile = {
    present: true,
    path,
    sha256: o.sha256 ?? SHA,
    isPe: true,
    isEsp: o.isEsp ?? true,
    exports: o.exports ?? ['__GetXpVersion', 'xp_dirtree', 'xp_instance_regread'],
    signed: o.signature ? o.signature.status !== 'unsigned' : Boolean(o.signer),
    yara: [],
  };
  if (o.signature) file.signature = o.signature;
  if (o.signer) file.signer = o.signer;
  if (o.company) file.company = o.company;
  // The classifier's own verdict for a Microsoft-looking Binn DLL that is not proven Microsoft's.
  return { path, file, suspicion: o.isEsp === false ? 'benign' : 'unknown', reasons: [], foundBy: 'binn' };
}

function inputs(dlls: DllFacts[], opts: { executed?: string[]; baseline?: Baseline } = {}): AnalysisInputs {
  const i: AnalysisInputs = {
    hostName: 'SQL01',
    sqlInstances: [{ name: 'MSSQLSERVER', provider: 'MSSQLSERVER', errorlogPaths: [] }],
    events: (opts.executed ?? []).map((p, n) => mssqlEvent(8128, `2026-03-14T02:2${n}:00.0000000Z`, ['xpstar.dll', '2017.140.1000', p])),
    hits: [],
    sql: undefined,
    dlls,
    missingDlls: [],
    stats: [stats('Application', 'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx', [8128])],
    errors: [],
  };
  if (opts.baseline) i.baseline = opts.baseline;
  return i;
}

describe('only a valid chain to a Microsoft root is Microsoft-signed', () => {
  it('a Microsoft-signed xpstar.dll in Binn is benign and says so', () => {
    const r = assembleResult(inputs([dllFacts(XPSTAR, { signature: SIG.microsoft })], { executed: ['xp_dirtree'] }), meta);
    expect(r.esps[0]?.suspicion).toBe('benign');
    expect(r.esps[0]?.reasons.join(' ')).toMatch(/Microsoft-signed/);
    expect(r.verdict.verdict).toBe('NO_INDICATORS');
  });

  it('a signer string naming Microsoft without a verified signature proves nothing', () => {
    const r = assembleResult(inputs([dllFacts(XPSTAR, { signer: 'CN=Microsoft Corporation, O=Microsoft Corporation' })]), meta);
    expect(r.esps[0]?.suspicion).not.toBe('benign');
    expect(r.esps[0]?.reasons.join(' ')).not.toMatch(/, Microsoft-signed/);
  });
});

describe('a Microsoft subject on a signature that is not valid', () => {
  it.each([
    ['self-signed (forged)', SIG.forged],
    ['altered after signing', SIG.alteredMicrosoft],
    ['"CN=Not Microsoft Evil Ltd"', SIG.notMicrosoftEvil],
  ])('%s on an ESP DLL in Binn → critical finding naming the DLL and the status, COMPROMISED', (_name, sig) => {
    const r = assembleResult(inputs([dllFacts(XPSTAR, { signature: sig, company: 'Microsoft Corporation' })], { executed: ['xp_dirtree'] }), meta);
    expect(r.verdict.verdict).toBe('COMPROMISED');
    expect(r.esps[0]?.suspicion).toBe('malicious');
    const f = r.findings.find((x) => x.ruleId === 'espy.esp.false-microsoft-signature');
    expect(f?.severity).toBe('critical');
    expect(f?.title).toContain(XPSTAR);
    expect(f?.explanation).toContain(XPSTAR);
    expect(f?.explanation).toContain(sig.description);
    expect(f?.nextSteps.some((s) => /signtool|osslsigncode/.test(s))).toBe(true);
    expect(f?.evidence.some((e) => e.kind === 'pe' && e.artefact === XPSTAR)).toBe(true);
  });

  it('untrusted chain claiming Microsoft, but Windows (Sysmon 7) found this very file validly Microsoft-signed → high, not a backdoor', () => {
    const i = inputs([dllFacts(XPSTAR, { signature: SIG.oldMicrosoftRoot })], { executed: ['xp_dirtree'] });
    i.events.push(sysmonEvent(7, '2026-03-14T02:19:00.0000000Z', { ImageLoaded: XPSTAR, Hashes: `SHA256=${SHA}`, Signed: 'true', Signature: 'Microsoft Corporation', SignatureStatus: 'Valid' }));
    const r = assembleResult(i, meta);
    expect(r.esps[0]?.suspicion).toBe('suspicious');
    expect(r.findings[0]?.ruleId).toBe('espy.esp.microsoft-root-not-shipped');
    expect(r.findings[0]?.severity).toBe('high');
    expect(r.verdict.verdict).toBe('SUSPICIOUS');
    // Windows vouching for a self-signed one means its root store trusts that certificate: high
    // too (never NO_INDICATORS); an altered file stays critical whatever Sysmon says.
    for (const sig of [SIG.forged, SIG.alteredMicrosoft]) {
      const j = inputs([dllFacts(XPSTAR, { signature: sig })], { executed: ['xp_dirtree'] });
      j.events.push(...i.events.filter((e) => e.summary.eventId === 7));
      const f = assembleResult(j, meta);
      expect(f.verdict.verdict, sig.description).toBe(sig === SIG.forged ? 'SUSPICIOUS' : 'COMPROMISED');
    }
  });

  it('on a DLL that is not an ESP → its own high finding', () => {
    const path = 'C:\\Windows\\Temp\\helper.dll';
    const r = assembleResult(inputs([dllFacts(path, { signature: SIG.forged, isEsp: false, exports: ['Run'] })]), meta);
    const f = r.findings.find((x) => x.ruleId === 'espy.pe.false-microsoft-signature');
    expect(f?.severity).toBe('high');
    expect(f?.explanation).toContain(path);
    expect(f?.explanation).toContain('untrusted self-signed');
    expect(r.verdict.verdict).toBe('SUSPICIOUS');
  });
});

describe('Microsoft ESP names in Binn without a valid Microsoft signature', () => {
  it.each([
    ['signed by someone else (untrusted)', { signature: SIG.otherUntrusted }],
    ['signed by a trusted vendor', { signature: SIG.vendor }],
    ['unsigned but its version resource names Microsoft', { signature: SIG.unsigned, company: 'Microsoft Corporation' }],
  ])('%s → high, SUSPICIOUS', (_name, o) => {
    const r = assembleResult(inputs([dllFacts(XPSTAR, o)]), meta);
    const f = r.findings.find((x) => x.ruleId === 'espy.esp.binn-not-microsoft-signed');
    expect(f?.severity).toBe('high');
    expect(f?.title).toContain(XPSTAR);
    expect(r.verdict.verdict).toBe('SUSPICIOUS');
  });

  /** Sysmon 7: Windows loaded a file with this hash into sqlservr.exe and judged its signature. */
  const sysmon7 = (sha256: string, signature: string, status: string) =>
    sysmonEvent(7, '2026-03-14T02:19:00.0000000Z', {
      Image: `${BINN}\\sqlservr.exe`,
      ImageLoaded: XPSTAR,
      Hashes: `MD5=00112233445566778899AABBCCDDEEFF,SHA256=${sha256.toUpperCase()}`,
      Signed: 'true',
      Signature: signature,
      SignatureStatus: status,
    });

  it('unsigned, and Windows (Sysmon 7) found a valid Microsoft signature for its hash (catalog) → the low note only', () => {
    const i = inputs([dllFacts(XPSTAR, { signature: SIG.unsigned, company: 'Microsoft Corporation' })]);
    i.events.push(sysmon7(SHA, 'Microsoft Corporation', 'Valid'));
    const r = assembleResult(i, meta);
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([['espy.esp.binn-unsigned', 'low']]);
    expect(r.verdict.verdict).toBe('NO_INDICATORS');
  });

  it.each([
    ['no Sysmon record', undefined],
    ['Sysmon saw another hash', sysmon7('cd'.repeat(32), 'Microsoft Corporation', 'Valid')],
    ['Sysmon: signer not trusted', sysmon7(SHA, 'Microsoft Corporation', 'A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.')],
    ['Sysmon: valid, another signer', sysmon7(SHA, 'Acme Ltd', 'Valid')],
  ])('unsigned, %s → high', (_name, ev) => {
    const i = inputs([dllFacts(XPSTAR, { signature: SIG.unsigned, company: 'espy sample fixture (not Microsoft)' })]);
    if (ev) i.events.push(ev);
    const r = assembleResult(i, meta);
    const f = r.findings.find((x) => x.ruleId === 'espy.esp.binn-not-microsoft-signed');
    expect(f?.severity).toBe('high');
    expect(f?.explanation).toMatch(/no Windows record \(Sysmon 7\) of a valid Microsoft signature/);
    expect(r.verdict.verdict).toBe('SUSPICIOUS');
  });

  it('executed, with a procedure Microsoft does not ship, no Microsoft signature → critical as outside Binn', () => {
    const dll = dllFacts(XPSTAR, { signature: SIG.unsigned, exports: ['__GetXpVersion', 'xp_dirtree', 'xp_sync'] });
    const r = assembleResult(inputs([dll], { executed: ['xp_sync'] }), meta);
    expect(r.esps[0]?.suspicion).toBe('malicious');
    expect(r.findings[0]?.severity).toBe('critical');
    expect(r.findings[0]?.explanation).toMatch(/xp_sync/);
    expect(r.verdict.verdict).toBe('COMPROMISED');
    // The same DLL validly Microsoft-signed: a Microsoft procedure list espy lacks, not a backdoor.
    const ms = assembleResult(inputs([dllFacts(XPSTAR, { signature: SIG.microsoft, exports: ['__GetXpVersion', 'xp_dirtree', 'xp_sync'] })], { executed: ['xp_sync'] }), meta);
    expect(ms.esps[0]?.suspicion).not.toBe('malicious');
  });

  it('a Microsoft ESP DLL name outside Binn → high', () => {
    const path = 'C:\\ProgramData\\xpstar.dll';
    const r = assembleResult(inputs([dllFacts(path, { signature: SIG.unsigned })]), meta);
    const e = r.esps.find((x) => x.dll === path);
    expect(e?.trustRule?.ruleId).toBe('espy.esp.microsoft-name-outside-binn');
    const f = r.findings.find((x) => x.title.includes(path));
    expect(f?.severity).toBe('high');
    // Executed from there: a backdoor, titled as one.
    const used = inputs([dllFacts(path, { signature: SIG.unsigned })]);
    used.events.push(mssqlEvent(8128, '2026-03-14T03:00:00.0000000Z', [path, '1.0', 'xp_dirtree']));
    const u = assembleResult(used, meta);
    expect(u.findings[0]?.severity).toBe('critical');
    expect(u.findings[0]?.ruleId).toBe('espy.esp.backdoor');
    expect(u.findings[0]?.explanation).toMatch(/Microsoft ESP DLL name outside/);
  });
});

describe('ESP DLL changed since the baseline', () => {
  const baseline = (sha256: string): Baseline => ({
    schema: 'espy-baseline/1',
    createdAt: '2026-01-01T00:00:00Z',
    host: 'SQL01',
    esps: [
      { procedure: 'xp_dirtree', dll: XPSTAR, sha256 },
      { procedure: 'xp_instance_regread', dll: XPSTAR, sha256 },
    ],
  });

  it('a different SHA-256 for the same DLL → its own high finding with both hashes', () => {
    const r = assembleResult(inputs([dllFacts(XPSTAR, { signature: SIG.unsigned })], { baseline: baseline('cd'.repeat(32)) }), meta);
    const f = r.findings.find((x) => x.ruleId === 'espy.baseline.esp-dll-changed');
    expect(f?.severity).toBe('high');
    expect(f?.title).toBe(`ESP DLL changed since the baseline: ${XPSTAR}`);
    expect(f?.explanation).toContain(SHA);
    expect(f?.explanation).toContain('cd'.repeat(32));
    expect(r.esps[0]?.baselineSha256).toEqual(['cd'.repeat(32)]);
    expect(r.verdict.verdict).toBe('SUSPICIOUS');
  });

  it('the same SHA-256 → no such finding (upper-case hashes in the baseline too)', () => {
    const r = assembleResult(inputs([dllFacts(XPSTAR, { signature: SIG.unsigned })], { baseline: baseline(SHA.toUpperCase()) }), meta);
    expect(r.findings.some((x) => x.ruleId === 'espy.baseline.esp-dll-changed')).toBe(false);
    expect(r.esps[0]?.baselineSha256).toBeUndefined();
  });

  it('baseline files: hashes round-trip lower-case; a hash that is not SHA-256 is refused with the field named', () => {
    const r = assembleResult(inputs([dllFacts(XPSTAR, { signature: SIG.unsigned, sha256: SHA.toUpperCase() })], { executed: ['xp_dirtree'] }), meta);
    const b = parseBaseline(JSON.stringify(createBaseline(r, '2026-03-20T00:00:00Z')), 'b.json');
    expect(b.esps.map((e) => [e.procedure, e.sha256])).toEqual([['xp_dirtree', SHA]]);
    const bad = { schema: 'espy-baseline/1', createdAt: 'x', host: 'h', esps: [{ procedure: 'xp_dirtree', dll: XPSTAR, sha256: 'abc' }] };
    expect(() => parseBaseline(JSON.stringify(bad), 'bad.json')).toThrow(/bad\.json: not an espy baseline: esps\.0\.sha256: not a SHA-256/);
  });

  it('baseline rows: the same full path first, else the bare file name', () => {
    const rows: Baseline['esps'] = [
      { procedure: 'a', dll: 'xpstar.dll', sha256: '11' },
      { procedure: 'b', dll: 'C:\\Other\\xpstar.dll', sha256: '22' },
      { procedure: 'c', dll: XPSTAR.toUpperCase(), sha256: '33' },
    ];
    expect(baselineHashesFor(rows, XPSTAR)).toEqual(['33']);
    expect(baselineHashesFor(rows, 'D:\\x\\xpstar.dll')).toEqual(['11']);
  });
});

describe('a third-party ESP valid through a --trust anchor', () => {
  it('executed outside Binn → suspicious (high), not a backdoor; untrusted → backdoor', () => {
    const path = 'C:\\Program Files\\Contoso\\ctx.dll';
    const mk = (signature: EspFileSignature): AnalysisInputs => {
      const i = inputs([dllFacts(path, { signature, exports: ['__GetXpVersion', 'xp_ctx'] })]);
      i.events.push(mssqlEvent(8128, '2026-03-14T03:00:00.0000000Z', [path, '1.0', 'xp_ctx']));
      return i;
    };
    const valid = assembleResult(mk(SIG.vendor), meta);
    expect(valid.esps[0]?.suspicion).toBe('suspicious');
    expect(valid.findings[0]?.severity).toBe('high');
    expect(valid.verdict.verdict).toBe('SUSPICIOUS');
    const untrusted = assembleResult(mk(SIG.otherUntrusted), meta);
    expect(untrusted.esps[0]?.suspicion).toBe('malicious');
    expect(untrusted.verdict.verdict).toBe('COMPROMISED');
  });
});

describe('assessEspTrust', () => {
  it('a file that is not there has no trust rule', () => {
    expect(assessEspTrust({ location: 'binn', file: { present: false, yara: [] }, knownDll: true, knownProcedures: [], unknownProcedures: [], executed: true, windowsAttested: false })).toEqual({
      microsoftSigned: false,
      malicious: false,
      reasons: [],
    });
  });
});
