import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../collector/manifest.js';
import { openZip } from '../../collector/zip-reader.js';
import { EXIT } from '../../cli/exit-codes.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { runCli } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';
import { craftZip } from './zip-craft.js';

/**
 * A manifest is a claim about the evidence, never a filter: a planted or edited manifest must
 * not make espy read less than is there, and the disagreement is a finding of its own.
 */

const HOST = join(SAMPLES, 'host-maggie');
const BACKDOOR = 'files/C/ProgramData/ExtendedProcedure.dll';
const root = mkdtempSync(join(tmpdir(), 'espy-claims-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
async function analyze(args: string[]): Promise<AnalysisResult> {
  const out = join(root, `out-${++seq}`);
  const r = await runCli(['--json', 'analyze', ...args, '--out', out]);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(EXIT.OK);
  const o = JSON.parse(r.stdout) as { analysis: string };
  return JSON.parse(readFileSync(o.analysis, 'utf8')) as AnalysisResult;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function entriesOf(zipPath: string): Promise<{ name: string; data: Buffer }[]> {
  const zip = await openZip(zipPath);
  const out: { name: string; data: Buffer }[] = [];
  for (const e of zip.entries) if (!e.isDir) out.push({ name: e.name, data: await zip.readBytes(e, 1 << 28) });
  zip.close();
  return out;
}

describe('a manifest.json planted at the root of an image folder', () => {
  it('is ignored: host-maggie with {"files":[]} is still COMPROMISED, and the manifest is the first finding', async () => {
    const dir = join(root, 'planted');
    cpSync(HOST, dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), '{"files":[]}');
    const a = await analyze([dir]);
    expect(a.source.kind).toBe('folder');
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.findings[0]).toMatchObject({ id: 'F001', ruleId: 'bundle.manifest-mismatch', severity: 'high' });
    expect(a.findings[0]?.explanation).toMatch(/lists 0 file\(s\)/);
    expect(a.findings[0]?.evidence[0]?.excerpt).toBe('{"files":[]}');
    expect(a.esps.some((e) => /ExtendedProcedure\.dll$/i.test(e.dllPath ?? e.dll) && e.suspicion === 'malicious')).toBe(true);
  });

  it('also with --sql-export (the image without its sql folder, the exports given beside it)', async () => {
    const dir = join(root, 'planted-nosql');
    cpSync(HOST, dir, { recursive: true });
    rmSync(join(dir, 'sql'), { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), '{"files":[]}');
    const a = await analyze([dir, '--sql-export', join(HOST, 'sql')]);
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.findings[0]?.ruleId).toBe('bundle.manifest-mismatch');
    expect(a.logins.some((l) => l.createdDuringIncident)).toBe(true);
  });
});

/** Every file of a folder, `/`-separated relative names. */
function treeFiles(dir: string, rel = ''): { name: string; data: Buffer }[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((d) => {
    const r = rel ? `${rel}/${d.name}` : d.name;
    return d.isDirectory() ? treeFiles(dir, r) : [{ name: r, data: readFileSync(join(dir, r)) }];
  });
}

describe('a manifest.json that is a link', () => {
  it('is not followed out of the evidence: reported as not read, the target never quoted', async () => {
    const dir = join(root, 'linked');
    mkdirSync(join(dir, 'Windows', 'System32'), { recursive: true });
    const secret = join(root, 'outside-secret.txt');
    writeFileSync(secret, '{"files":[], "secret": "do-not-quote"}');
    symlinkSync(secret, join(dir, 'manifest.json'));
    const a = await analyze([dir]);
    expect(a.findings[0]).toMatchObject({ ruleId: 'bundle.manifest-mismatch' });
    expect(a.findings[0]?.evidence[0]?.excerpt).toBe('(not a regular file: not read)');
    expect(JSON.stringify(a)).not.toContain('do-not-quote');
  });
});

describe('a files/C/... tree with no espy record beside it', () => {
  it('is read as the KAPE-style tree it is, with no claim to check', async () => {
    const dir = join(root, 'kape');
    for (const f of treeFiles(HOST).filter((x) => !x.name.startsWith('sql/'))) {
      const p = join(dir, 'files', 'C', ...f.name.split('/'));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.data);
    }
    const a = await analyze([dir]);
    expect(a.source.kind).toBe('folder');
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.findings.filter((f) => f.ruleId.startsWith('bundle.'))).toEqual([]);
  });
});

describe('a manifest.json planted in a Velociraptor collection zip', () => {
  it('is ignored: the zip is read as the collection it is, still COMPROMISED, the manifest reported first', async () => {
    const files = treeFiles(HOST)
      .filter((f) => !f.name.startsWith('sql/'))
      .map((f) => ({ name: `uploads/auto/C%3A/${f.name}`, data: f.data }));
    const zipPath = join(root, 'velociraptor.zip');
    writeFileSync(zipPath, craftZip([{ name: 'manifest.json', data: '{"files":[]}' }, ...files]));
    const a = await analyze([zipPath]);
    expect(a.source.kind).toBe('folder');
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.findings[0]).toMatchObject({ ruleId: 'bundle.manifest-mismatch', title: expect.stringMatching(/ignored/) });
  });
});

describe('espy bundles of host-maggie', () => {
  let bundle = '';
  let manifest: Manifest;
  let entries: { name: string; data: Buffer }[] = [];
  beforeAll(async () => {
    const r = await runCli(['--json', 'collect', '--source', HOST, '--sql-export', join(HOST, 'sql'), '--out', join(root, 'collect')]);
    expect(r.code).toBe(EXIT.OK);
    bundle = (JSON.parse(r.stdout) as { bundle: string }).bundle;
    entries = await entriesOf(bundle);
    manifest = parseManifest((entries.find((e) => e.name === 'manifest.json') as { data: Buffer }).data.toString('utf8'));
  }, 60_000);

  it('untouched: no manifest finding; the bundle hash is computed and the sidecar agrees', async () => {
    const a = await analyze([bundle]);
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.findings.filter((f) => f.ruleId.startsWith('bundle.'))).toEqual([]);
    expect(a.source.bundleSha256).toBe(sha256(readFileSync(bundle)));
    expect(a.source.bundleSidecar).toBe('ok');
  });

  it('manifest edited (rows removed, a hash changed) and re-zipped: still COMPROMISED, the disagreements listed first', async () => {
    const edited: Manifest = {
      ...manifest,
      files: manifest.files
        .filter((f) => f.storedPath !== BACKDOOR && !/Application\.evtx$/i.test(f.originalPath))
        .map((f) => (/ERRORLOG$/.test(f.storedPath ?? '') ? { ...f, sha256: '0'.repeat(64) } : f)),
    };
    const removed = manifest.files.length - edited.files.length;
    expect(removed).toBeGreaterThanOrEqual(2);
    const zipPath = join(root, 'edited.zip');
    writeFileSync(zipPath, craftZip(entries.map((e) => (e.name === 'manifest.json' ? { name: e.name, data: Buffer.from(JSON.stringify(edited)) } : e))));
    const a = await analyze([zipPath]);
    expect(a.source.kind).toBe('bundle');
    expect(a.verdict.verdict).toBe('COMPROMISED');
    const f = a.findings[0];
    expect(f).toMatchObject({ ruleId: 'bundle.manifest-mismatch', severity: 'high' });
    const said = (f?.evidence ?? []).map((e) => `${e.artefact} ${e.excerpt}`);
    expect(said).toContainEqual(expect.stringMatching(/^files\/C\/ProgramData\/ExtendedProcedure\.dll extra:/));
    expect(said).toContainEqual(expect.stringMatching(/Application\.evtx extra:/));
    expect(said).toContainEqual(expect.stringMatching(/\/ERRORLOG altered: sha256/));
    expect(f?.count).toBe(removed + 1);
    // The backdoor DLL is analysed from the bytes that are there, hash included.
    const dll = entries.find((e) => e.name === BACKDOOR) as { data: Buffer };
    const esp = a.esps.find((e) => e.file?.storedPath === BACKDOOR);
    expect(esp?.suspicion).toBe('malicious');
    expect(esp?.file?.sha256).toBe(sha256(dll.data));
  });

  it('a name the writer never creates (Windows/...) added to a bundle does not turn it into an image: every entry is read, the addition is extra', async () => {
    const zipPath = join(root, 'with-windows.zip');
    writeFileSync(zipPath, craftZip([...entries, { name: 'Windows/System32/placeholder.txt', data: 'x' }]));
    const a = await analyze([zipPath]);
    expect(a.source.kind).toBe('bundle');
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.esps.find((e) => e.file?.storedPath === BACKDOOR)?.suspicion).toBe('malicious');
    expect(a.findings[0]?.evidence.map((e) => `${e.artefact} ${e.excerpt}`)).toEqual(['Windows/System32/placeholder.txt extra: in the bundle, not in the manifest']);
  });

  it('two zip entries of one name (or differing only in case): both are read and checked (the first, a decoy, is altered; the second is extra)', async () => {
    const zipPath = join(root, 'duplicate.zip');
    writeFileSync(zipPath, craftZip([{ name: BACKDOOR, data: 'MZ decoy' }, ...entries]));
    const cased = join(root, 'duplicate-case.zip');
    writeFileSync(cased, craftZip([...entries, { name: BACKDOOR.toLowerCase(), data: 'MZ decoy' }]));
    const c = await analyze([cased]);
    expect(c.findings[0]?.evidence.map((e) => e.artefact)).toEqual(['files/c/programdata/extendedprocedure (duplicate 2).dll']);
    const a = await analyze([zipPath]);
    expect(a.verdict.verdict).toBe('COMPROMISED');
    const said = (a.findings[0]?.evidence ?? []).map((e) => `${e.artefact} ${e.excerpt}`).sort();
    expect(said).toEqual([
      'files/C/ProgramData/ExtendedProcedure (duplicate 2).dll extra: in the bundle, not in the manifest',
      expect.stringMatching(/^files\/C\/ProgramData\/ExtendedProcedure\.dll altered: size 8 != /),
    ]);
    const dll = entries.find((e) => e.name === BACKDOOR) as { data: Buffer };
    expect(a.esps.some((e) => e.file?.sha256 === sha256(dll.data) && e.suspicion === 'malicious')).toBe(true);
  });

  it('a manifest.json planted in a folder of bundles does not hide them: each bundle is analysed', async () => {
    const dir = join(root, 'fleet');
    mkdirSync(dir, { recursive: true });
    cpSync(bundle, join(dir, 'espy-SQL01-a.zip'));
    writeFileSync(join(dir, 'manifest.json'), '{"files":[]}');
    const out = join(root, 'fleet-out');
    const r = await runCli(['--json', 'analyze', dir, '--out', out]);
    expect(r.code).toBe(EXIT.OK);
    const o = JSON.parse(r.stdout) as { verdict: string; source: string };
    expect(o.source).toBe(join(dir, 'espy-SQL01-a.zip'));
    expect(o.verdict).toBe('COMPROMISED');
  });

  it('a forged original path in the manifest does not move a file: the stored name decides, the row disagrees', async () => {
    const binn = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn\\xpstar.dll';
    const edited: Manifest = { ...manifest, files: manifest.files.map((f) => (f.storedPath === BACKDOOR ? { ...f, originalPath: binn } : f)) };
    const zipPath = join(root, 'moved.zip');
    writeFileSync(zipPath, craftZip(entries.map((e) => (e.name === 'manifest.json' ? { name: e.name, data: Buffer.from(JSON.stringify(edited)) } : e))));
    const a = await analyze([zipPath]);
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.findings[0]?.evidence.map((e) => e.excerpt)).toContainEqual(
      expect.stringMatching(/^altered: manifest says it came from .*xpstar\.dll; stored as C:\\ProgramData\\ExtendedProcedure\.dll/),
    );
    expect(a.esps.find((e) => e.file?.storedPath === BACKDOOR)?.file?.path).toBe('C:\\ProgramData\\ExtendedProcedure.dll');
  });

  it('an extracted bundle whose manifest is {"files":[]}: every file read by its stored name, the manifest reported', async () => {
    const dir = join(root, 'extracted');
    for (const e of entries) {
      const p = join(dir, ...e.name.split('/'));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, e.name === 'manifest.json' ? '{"files":[]}' : e.data);
    }
    const a = await analyze([dir]);
    expect(a.source.kind).toBe('bundle');
    expect(a.verdict.verdict).toBe('COMPROMISED');
    expect(a.findings[0]).toMatchObject({ ruleId: 'bundle.manifest-mismatch', title: "The bundle's manifest is not an espy manifest" });
  });

  it('a sidecar that does not match: the report shows the computed hash and says the sidecar disagrees', async () => {
    const copy = join(root, 'copy', 'espy-SQL01-copy.zip');
    cpSync(bundle, copy);
    const wrong = 'ab'.repeat(32);
    writeFileSync(`${copy}.sha256`, `${wrong}  espy-SQL01-copy.zip\n`);
    const out = join(root, 'sidecar-out');
    const r = await runCli(['--json', 'analyze', copy, '--out', out]);
    expect(r.code).toBe(EXIT.OK);
    const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8')) as AnalysisResult;
    const computed = sha256(readFileSync(copy));
    expect(a.source.bundleSha256).toBe(computed);
    expect(a.source.bundleSidecar).toBe('mismatch');
    expect(a.findings[0]).toMatchObject({ ruleId: 'bundle.sidecar-mismatch', severity: 'high' });
    expect(a.findings.some((f) => f.ruleId === 'bundle.manifest-mismatch')).toBe(false);
    const header = /<header[\s\S]*?<\/header>/.exec(readFileSync(join(out, 'report.html'), 'utf8'))?.[0] ?? '';
    expect(header).toContain(computed);
    expect(header).not.toContain(wrong);
    expect(header).toMatch(/sidecar disagrees/);
    // In the report's findings, the evidence's own claims come before the critical findings.
    const findings = /<section id="findings">[\s\S]*?<\/section>/.exec(readFileSync(join(out, 'report.html'), 'utf8'))?.[0] ?? '';
    const rules = [...findings.matchAll(/<code>([^<]+)<\/code> <span class="muted">\(/g)].map((m) => m[1]);
    expect(a.findings.some((x) => x.severity === 'critical')).toBe(true);
    expect(rules[0]).toBe('bundle.sidecar-mismatch');
    expect(rules.length).toBe(a.findings.length);
    // `espy verify` keeps its verdict on the same file.
    expect((await runCli(['verify', copy])).code).toBe(EXIT.CHECK_FAILED);
  });
});
