import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryFsView, withFaults } from '../../collector/fs-memory.js';
import { longPath, nodeFsView } from '../../collector/fs-view.js';

const root = mkdtempSync(join(tmpdir(), 'espy-fsview-'));
const outside = mkdtempSync(join(tmpdir(), 'espy-fsview-out-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});
writeFileSync(join(outside, 'secret'), 'SECRET');
mkdirSync(join(root, 'd'));
writeFileSync(join(root, 'd', 'f.txt'), 'hello');
symlinkSync(join(outside, 'secret'), join(root, 'out-link'));
symlinkSync(join(root, 'd', 'f.txt'), join(root, 'in-link'));
symlinkSync(outside, join(root, 'out-dir'));

describe('nodeFsView (read-only, never out of the root)', () => {
  it('lists, stats and reads plain files', async () => {
    const v = await nodeFsView(root);
    const ls = await v.readDir([]);
    expect(ls.ok && ls.value.map((e) => `${e.name}:${e.type}`).sort()).toEqual(['d:dir', 'in-link:symlink', 'out-dir:symlink', 'out-link:symlink']);
    const st = await v.lstat(['d', 'f.txt']);
    expect(st.ok && st.value.size).toBe(5);
    expect(st.ok && st.value.modified).toMatch(/Z$/);
    const f = await v.open(['d', 'f.txt']);
    expect(f.ok).toBe(true);
    if (f.ok) {
      expect(Buffer.from(await f.value.read(1, 3)).toString()).toBe('ell');
      expect(Buffer.from(await f.value.read(3, 100)).toString()).toBe('lo');
      await f.value.close();
    }
  });

  it('refuses links that leave the root, follows those that stay inside', async () => {
    const v = await nodeFsView(root);
    const out = await v.open(['out-link']);
    expect(out.ok ? 'opened' : out.code).toBe('OUTSIDE_ROOT');
    const dirOut = await v.open(['out-dir', 'secret']);
    expect(dirOut.ok ? 'opened' : dirOut.code).toBe('OUTSIDE_ROOT');
    const inside = await v.open(['in-link']);
    expect(inside.ok).toBe(true);
    if (inside.ok) await inside.value.close();
  });

  it('refuses path segments that could climb out; missing files are values', async () => {
    const v = await nodeFsView(join(root, 'd'));
    for (const bad of [['..', 'out-link'], ['.'], ['a/b'], ['x\0y']]) {
      const r = await v.open(bad);
      expect(r.ok ? 'opened' : r.code, bad.join('|')).toBe('BAD_NAME');
    }
    const gone = await v.open(['nope.txt']);
    expect(gone.ok ? 'opened' : gone.code).toBe('ENOENT');
    const notFile = await v.open([]);
    expect(notFile.ok ? 'opened' : notFile.code).toMatch(/NOT_FILE|EIO/);
  });

  it('long Windows paths get the \\\\?\\ prefix', () => {
    const p = `C:\\${'a'.repeat(300)}`;
    expect(longPath(p, 'win32')).toBe(`\\\\?\\${p}`);
    expect(longPath('\\\\srv\\share\\' + 'b'.repeat(300), 'win32').startsWith('\\\\?\\UNC\\srv\\share')).toBe(true);
    expect(longPath('C:\\short', 'win32')).toBe('C:\\short');
    expect(longPath(`/${'a'.repeat(300)}`, 'linux')).toBe(`/${'a'.repeat(300)}`);
  });
});

describe('memoryFsView and injected faults', () => {
  it('serves a tree literal and injects EACCES/EBUSY', async () => {
    const v = withFaults(memoryFsView({ a: { 'b.txt': 'bee', link: { link: '/etc/passwd' } } }), { 'a/b.txt': 'EBUSY' });
    const ls = await v.readDir(['a']);
    expect(ls.ok && ls.value).toEqual([
      { name: 'b.txt', type: 'file' },
      { name: 'link', type: 'symlink' },
    ]);
    const b = await v.open(['a', 'b.txt']);
    expect(b.ok ? 'opened' : b.code).toBe('EBUSY');
    const l = await v.open(['a', 'link']);
    expect(l.ok ? 'opened' : l.code).toBe('OUTSIDE_ROOT');
  });
});
