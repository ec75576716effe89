import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, CollectSession, type CollectOptions, type CollectResult } from '../../collector/collect/index.js';
import type { EvidenceSet } from '../../detection/evidence.js';
import { memoryFsView, withFaults, type MemoryTree } from '../../collector/fs-memory.js';
import { openBundleEvidence, verifyBundle } from '../../collector/index.js';
import { knownEspSets } from '../../cli/analysis-setup.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { buildCoverage } from '../../detection/analyze/coverage.js';
import { analyze } from '../../detection/analyze/run.js';
import { planCollection } from '../../collector/plan/index.js';
import { MAX_WALK_DEPTH } from '../../collector/walk.js';
import { baseOptions, fakeClassify, hostTree, INST } from './fixtures.js';
import { fakePe, tempDirs, testdir } from './testdir.js';

const { tmp, track } = tempDirs();

/** A collection whose evidence goes to `f` before the bundle is finished, as the collect command analyses it. */
async function collectWith(opts: CollectOptions, f: (ev: EvidenceSet) => Promise<void>): Promise<CollectResult> {
  const s = await CollectSession.open(opts);
  try {
    await s.gatherSql();
    const plan = await s.plan();
    await s.describeHost(plan);
    await s.copy(plan.items, 'collecting files');
    await s.sweep(plan);
    await f(s.evidence());
    return await s.finish();
  } finally {
    await s.close();
  }
}
const C = { kind: 'kape' as const, drives: [{ drive: 'C', base: ['C'], encoded: false }], notes: [] };
const quiet = { sweep: 'smart' as const, copyBinn: false, maxFileSize: 1 << 30, log: () => undefined };

describe('walks: only regular files, unreadable is not absent, budgets are listed', () => {
  it('a FIFO at a DLL path the logs name is listed and skipped, never opened (no hang)', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const fifo = join(t.dir, 'ProgramData', 'evil.dll');
    execFileSync('rm', [fifo]);
    execFileSync('mkfifo', [fifo]);
    const r = await collect(baseOptions(t.dir, tmp('espy-out-'), { classify: fakeClassify }));
    const row = r.manifest.files.find((f) => f.originalPath === 'C:\\ProgramData\\evil.dll');
    expect(row?.error).toMatch(/not a regular file/);
    expect(row?.storedPath).toBeUndefined();
    expect((await verifyBundle(r.bundlePath)).ok).toBe(true);
  }, 20_000);

  it('an unreadable Binn folder: the names it should hold are "unreadable", not "not present"; the folder is listed', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const binn = `Program Files/Microsoft SQL Server/${INST}/MSSQL/Binn`;
    let gaps: { path: string; reason: string }[] = [];
    const r = await collectWith(baseOptions(t.dir, tmp('espy-out-'), { wrapView: (v) => withFaults(v, { [binn]: 'EACCES' }) }), async (ev) => {
      gaps = (await ev.collectionGaps?.()) ?? [];
    });
    const xp = r.manifest.files.find((f) => f.originalPath.toLowerCase().endsWith('xpstar.dll'));
    expect(xp?.error).toMatch(/cannot be read.*EACCES/);
    expect(xp?.error).not.toMatch(/not present/);
    const folder = r.manifest.files.find((f) => f.error?.startsWith('folder unreadable'));
    expect(folder?.originalPath).toBe(`C:\\${binn.split('/').join('\\')}`);
    // The analysis sees both as gaps of the collection (its coverage lists them); a DLL that is simply absent is not one.
    expect(gaps.map((g) => g.path)).toEqual(expect.arrayContaining([folder?.originalPath, xp?.originalPath]));
    expect(gaps.some((g) => g.path === 'C:\\Missing\\gone.dll')).toBe(false);
  });

  it(`a tree deeper than ${MAX_WALK_DEPTH} folders: the walk budget is a manifest row, not only a warning`, async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    let p = join(t.dir, 'ProgramData');
    for (let i = 0; i < MAX_WALK_DEPTH + 5; i++) p = join(p, 'd');
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'deep.dll'), fakePe('deep opends60.dll'));
    const r = await collect(baseOptions(t.dir, tmp('espy-out-'), { classify: fakeClassify }));
    const budget = r.manifest.files.filter((f) => f.error?.startsWith('walk stopped'));
    expect(budget).toHaveLength(1);
    expect(budget[0]?.error).toMatch(new RegExp(`deeper than ${MAX_WALK_DEPTH} folders`));
  });

  it("the sweep never reads espy's own executable or its output folder", async () => {
    const tree: MemoryTree = {
      C: {
        ProgramData: {
          espy: { 'espy.exe': fakePe('self opends60.dll') },
          cases: { 'old.dll': fakePe('extracted opends60.dll') },
          'evil.dll': fakePe('evil opends60.dll'),
        },
      },
    };
    const seen: string[] = [];
    const plan = await planCollection(memoryFsView(tree), C, {
      ...quiet,
      classify: (b, path) => (seen.push(path), fakeClassify(b)),
      sweepExclude: ['C:\\ProgramData\\espy\\espy.exe', 'c:\\programdata\\CASES\\'],
    });
    expect(seen).toEqual(['C:\\ProgramData\\evil.dll']);
    expect(plan.items.map((i) => i.originalPath)).toEqual(['C:\\ProgramData\\evil.dll']);
  });
});

describe('coverage lists what the collection could not read', () => {
  it('one "Collection gaps" entry, the first notes and a count of the rest', () => {
    const gaps = Array.from({ length: 60 }, (_, i) => ({ path: `C:\\Dir${i}`, reason: 'folder unreadable: EACCES' }));
    const entry = buildCoverage([], undefined, [], gaps).find((c) => c.source === 'Collection gaps');
    expect(entry?.failed).toBe(60);
    expect(entry?.notes[0]).toMatch(/^60 file\(s\) or folder\(s\) could not be read/);
    expect(entry?.notes).toContain('C:\\Dir0: folder unreadable: EACCES');
    expect(entry?.notes[entry.notes.length - 1]).toBe('... and 10 more (all in the bundle manifest)');
    expect(buildCoverage([], undefined, []).some((c) => c.source === 'Collection gaps')).toBe(false);
  });
});

describe('an unreadable folder is never read as a deletion', () => {
  it('a DLL the logs name in a folder espy could not list is "could not read", not "deleted or moved?"', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    let result: AnalysisResult | undefined;
    await collectWith(baseOptions(t.dir, tmp('espy-out-'), { wrapView: (v) => withFaults(v, { ProgramData: 'EACCES' }) }), async (ev) => {
      result = await analyze(ev, { sigma: [], known: knownEspSets(), espyVersion: 'test', generatedAt: '2024-03-02T10:00:00.000Z' });
    });
    const text = JSON.stringify(result);
    expect(text).toContain('the collection could not read the DLL');
    // C:\Missing\gone.dll is simply absent (its folder does not exist): that one stays a possible deletion.
    const deleted = [...text.matchAll(/deleted or moved\?/g)].length;
    expect(deleted).toBeGreaterThan(0);
    const esps = (result?.esps ?? []) as { dll: string; reasons: string[] }[];
    const evil = esps.find((e) => /evil\.dll$/i.test(e.dll));
    expect(evil?.reasons.join(' ')).not.toMatch(/deleted or moved/);
    expect(esps.find((e) => /gone\.dll$/i.test(e.dll))?.reasons.join(' ')).toMatch(/deleted or moved/);
  });
});

describe('a bundle carries its collection gaps to a later analysis', () => {
  it("the manifest's failure rows become coverage notes, never an excuse for a missing DLL", async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const r = await collect(baseOptions(t.dir, tmp('espy-out-'), { wrapView: (v) => withFaults(v, { ProgramData: 'EACCES' }) }));
    const ev = await openBundleEvidence(r.bundlePath);
    try {
      const gaps = (await ev.collectionGaps?.()) ?? [];
      expect(gaps.every((g) => g.claimed)).toBe(true);
      expect(gaps.map((g) => g.path)).toContain('C:\\ProgramData');
      const result = await analyze(ev, { sigma: [], known: knownEspSets(), espyVersion: 'test', generatedAt: '2024-03-02T10:00:00.000Z' });
      const cov = result.coverage.find((c) => c.source === 'Collection gaps');
      expect(cov?.notes.some((n) => n.startsWith('C:\\ProgramData: folder unreadable'))).toBe(true);
      // A manifest can be forged: its claims do not turn a missing DLL into "could not read".
      const evil = result.esps.find((e) => /evil\.dll$/i.test(e.dll));
      expect(evil?.reasons.join(' ')).toMatch(/deleted or moved/);
    } finally {
      await ev.close();
    }
  });
});
