import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../../collector/collect/index.js';
import { openEvidence, verifyBundle } from '../../collector/index.js';
import { openZip } from '../../collector/zip-reader.js';
import { EXIT } from '../../cli/exit-codes.js';
import { runCli } from '../support/cli.js';
import { baseOptions, fakeClassify, hostTree } from './fixtures.js';
import { tempDirs, testdir } from './testdir.js';
import { craftZip } from './zip-craft.js';

const { tmp, track } = tempDirs();

/** Rewrites a bundle with `edit` applied to its entries (a tampered copy). */
async function tamper(bundle: string, edit: (entries: { name: string; data: Buffer }[]) => { name: string; data: Buffer }[]): Promise<string> {
  const zip = await openZip(bundle);
  const entries: { name: string; data: Buffer }[] = [];
  for (const e of zip.entries) entries.push({ name: e.name, data: await zip.readBytes(e, 1 << 26) });
  zip.close();
  const out = join(tmp('espy-tamper-'), 'tampered.zip');
  writeFileSync(out, craftZip(edit(entries)));
  return out;
}

async function freshBundle(): Promise<string> {
  const t = testdir(hostTree());
  track(t.cleanup);
  const r = await collect(baseOptions(t.dir, tmp('espy-out-'), { classify: fakeClassify }));
  return r.bundlePath;
}

describe('verify', () => {
  it('accepts an untouched bundle (manifest and sidecar)', async () => {
    const b = await freshBundle();
    const r = await verifyBundle(b);
    expect(r.problems).toEqual([]);
    expect(r.sidecar).toBe('ok');
    expect(r.ok).toBe(true);
    expect(r.checked).toBeGreaterThan(10);
  });

  it('one byte changed in a bundled file: altered, and the sidecar no longer matches; CLI exit 4', async () => {
    const b = await freshBundle();
    const target = 'files/C/ProgramData/evil.dll';
    const t = await tamper(b, (es) =>
      es.map((e) => {
        if (e.name !== target) return e;
        const d = Buffer.from(e.data);
        d[10] = (d[10] ?? 0) ^ 0xff;
        return { name: e.name, data: d };
      }),
    );
    writeFileSync(`${t}.sha256`, readFileSync(`${b}.sha256`, 'utf8'));
    const r = await verifyBundle(t);
    expect(r.ok).toBe(false);
    expect(r.sidecar).toBe('mismatch');
    expect(r.problems).toEqual([expect.objectContaining({ name: target, problem: 'altered' })]);
    const cli = await runCli(['verify', t]);
    expect(cli.code).toBe(EXIT.CHECK_FAILED);
    expect(cli.stdout).toContain('ALTERED');
    const ok = await runCli(['verify', b]);
    expect(ok.code).toBe(EXIT.OK);
  });

  it('an extracted bundle folder verifies and opens as a bundle; a changed file in it is altered', async () => {
    const b = await freshBundle();
    const folder = tmp('espy-extracted-');
    execFileSync('unzip', ['-q', b, '-d', folder]);
    const r = await verifyBundle(folder);
    expect(r.sidecar).toBe('not-applicable');
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    const ev = await openEvidence(folder);
    expect(ev.kind).toBe('bundle');
    expect((await ev.list()).some((a) => a.originalPath === 'C:\\ProgramData\\evil.dll')).toBe(true);
    await ev.close();
    writeFileSync(join(folder, 'files', 'C', 'ProgramData', 'evil.dll'), 'MZ changed');
    const bad = await verifyBundle(folder);
    expect(bad.problems.map((p) => [p.name, p.problem])).toEqual([['files/C/ProgramData/evil.dll', 'altered']]);
  });

  it('lists missing and extra entries', async () => {
    const b = await freshBundle();
    const t = await tamper(b, (es) => [...es.filter((e) => e.name !== 'collection.log'), { name: 'files/C/planted.dll', data: Buffer.from('MZ') }]);
    const r = await verifyBundle(t);
    expect(r.ok).toBe(false);
    expect(r.sidecar).toBe('missing');
    expect(r.problems.map((p) => [p.name, p.problem]).sort()).toEqual([
      ['collection.log', 'missing'],
      ['files/C/planted.dll', 'extra'],
    ]);
  });
});

describe('crafted bundles with ../ and absolute entry names', () => {
  it('are refused by name; nothing is written outside (or inside) any folder', async () => {
    const root = tmp('espy-craft-');
    const work = join(root, 'work');
    mkdirSync(work);
    const zipPath = join(work, 'evil.zip');
    writeFileSync(
      zipPath,
      craftZip([
        { name: '../escaped.txt', data: 'x' },
        { name: '../../escaped2.txt', data: 'x' },
        { name: '/tmp/abs.txt', data: 'x' },
        { name: 'C:/Windows/win.txt', data: 'x' },
        { name: 'files/C/../../up.txt', data: 'x' },
        { name: 'files/C/Windows/System32/winevt/Logs/Application.evtx', data: 'ElfFile\0' },
      ]),
    );
    const before = readdirSync(root).sort();
    const ev = await openEvidence(zipPath);
    const list = await ev.list();
    expect(list.map((a) => a.originalPath)).toEqual(['C:\\Windows\\System32\\winevt\\Logs\\Application.evtx']);
    for (const a of list) await ev.open(a);
    await ev.close();
    const v = await verifyBundle(zipPath);
    expect(v.ok).toBe(false);
    expect(
      v.problems
        .filter((p) => p.problem === 'refused')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['../escaped.txt', '../../escaped2.txt', '/tmp/abs.txt', 'C:/Windows/win.txt', 'files/C/../../up.txt'].sort());
    expect(readdirSync(root).sort()).toEqual(before);
    expect(readdirSync(work)).toEqual(['evil.zip']);
    // espy analyze on it writes only into its --out folder.
    const a = await runCli(['--json', 'analyze', zipPath, '--out', join(work, 'out')]);
    expect(a.stderr).not.toMatch(/internal error/);
    expect(readdirSync(root).sort()).toEqual(before);
    expect(readdirSync(work).sort()).toEqual(['evil.zip', 'out']);
    for (const name of ['escaped.txt', 'escaped2.txt', 'up.txt']) {
      expect(existsSync(join(root, name))).toBe(false);
      expect(existsSync(join(work, name))).toBe(false);
    }
    expect(existsSync('/tmp/abs.txt')).toBe(false);
  });
});
