/**
 * Reading bundles leaves no file descriptor open: every entry of an extracted bundle
 * streamed, read and checked, streams abandoned half-way, and files that are not bundles or
 * are damaged zips, each done many times; the process's open descriptors (/proc/self/fd)
 * are counted before and after.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../collector/bundle-reader.js';
import { collect } from '../../collector/collect/index.js';
import { openEvidence, verifyBundle } from '../../collector/index.js';
import { baseOptions, fakeClassify, hostTree } from './fixtures.js';
import { testdir } from './testdir.js';

const PROC_FD = '/proc/self/fd';
const dir = mkdtempSync(join(tmpdir(), 'espy-fds-'));
let zipPath = '';
const folder = join(dir, 'extracted');
let cleanupTree: () => void = () => undefined;

beforeAll(async () => {
  const t = testdir(hostTree());
  cleanupTree = t.cleanup;
  const r = await collect(baseOptions(t.dir, join(dir, 'out'), { classify: fakeClassify, level: 0 }));
  zipPath = r.bundlePath;
  mkdirSync(folder);
  const x = spawnSync('bsdtar', ['-xf', zipPath, '-C', folder], { encoding: 'utf8' });
  if (x.status !== 0) throw new Error(`bsdtar: ${x.stderr}`);
  writeFileSync(join(dir, 'notes.txt'), 'not a bundle\n');
  const bytes = readFileSync(zipPath);
  writeFileSync(join(dir, 'cut.zip'), bytes.subarray(0, bytes.length - 30));
});
afterAll(() => {
  cleanupTree();
  rmSync(dir, { recursive: true, force: true });
});

const openFds = (): number => readdirSync(PROC_FD).length;
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describe.skipIf(!existsSync(PROC_FD))('bundles leave no descriptor open', () => {
  it('an extracted bundle: verify, every artefact read, every entry streamed or abandoned', async () => {
    const before = openFds();
    for (let round = 0; round < 5; round++) {
      expect((await verifyBundle(folder)).ok).toBe(true);
      const ev = await openEvidence(folder);
      for (const a of await ev.list()) {
        const s = await ev.open(a);
        await s.read(0, s.size);
        await s.close?.();
      }
      await ev.close();
      const b = await openBundle(folder);
      for (const name of b.entries.keys()) {
        const s = await b.stream(name);
        // Half the streams are abandoned unread: destroying one must still close its file.
        if (name.length % 2 === 0) s.destroy();
        else for await (const chunk of s) void chunk;
      }
      await b.close();
    }
    await settle();
    expect(openFds()).toBe(before);
  });

  it('a zipped bundle read through, and files that are not bundles or are damaged', async () => {
    const before = openFds();
    for (let round = 0; round < 5; round++) {
      expect((await verifyBundle(zipPath)).ok).toBe(true);
      const ev = await openEvidence(zipPath);
      for (const a of await ev.list()) {
        const s = await ev.open(a);
        await s.read(0, s.size);
        await s.close?.();
      }
      await ev.close();
      await expect(openBundle(join(dir, 'notes.txt'))).rejects.toThrow(/not a zip file/);
      await expect(openBundle(join(dir, 'cut.zip'))).rejects.toThrow(/damaged zip/);
      expect((await verifyBundle(join(dir, 'cut.zip'))).ok).toBe(false);
    }
    await settle();
    expect(openFds()).toBe(before);
  });
});
