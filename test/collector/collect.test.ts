import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../../collector/collect/index.js';
import { openZip } from '../../collector/zip-reader.js';
import { parseManifest } from '../../collector/manifest.js';
import { tempDirs, testdir } from './testdir.js';
import { baseOptions, fakeClassify, hostTree, INST } from './fixtures.js';

const { track } = tempDirs();
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'espy-out-'));
  track(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('collect from a drive-like folder', () => {
  it('bundles the targets and the DLLs the logs name; every SHA-256 matches the manifest', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const out = outDir();
    const r = await collect(baseOptions(t.dir, out, { classify: fakeClassify }));
    expect(r.incomplete).toBe(false);
    expect(r.host).toBe('SQL01');
    expect(r.bundlePath).toMatch(/espy-SQL01-20240302T100001Z\.zip$/);
    expect(readFileSync(`${r.bundlePath}.sha256`, 'utf8')).toBe(`${r.sha256}  ${r.bundlePath.split('/').pop()}\n`);
    expect(createHash('sha256').update(readFileSync(r.bundlePath)).digest('hex')).toBe(r.sha256);

    const zip = await openZip(r.bundlePath);
    const names = zip.entries.map((e) => e.name);
    const manifest = parseManifest(
      (
        await zip.readBytes(
          zip.entries.find((e) => e.name === 'manifest.json')!,
          1 << 24,
        )
      ).toString('utf8'),
    );
    for (const n of [
      'files/C/Windows/System32/winevt/Logs/Application.evtx',
      'files/C/Windows/System32/winevt/Logs/Security.evtx',
      `files/C/Program Files/Microsoft SQL Server/${INST}/MSSQL/Log/ERRORLOG`,
      `files/C/Program Files/Microsoft SQL Server/${INST}/MSSQL/Log/ERRORLOG.1`,
      `files/C/Program Files/Microsoft SQL Server/${INST}/MSSQL/Log/log_1.trc`,
      `files/C/Program Files/Microsoft SQL Server/${INST}/MSSQL/Log/SQLAGENT.OUT`,
      'files/C/ProgramData/evil.dll',
      'files/C/ProgramData/Sub/hidden.dat',
      `files/C/Program Files/Microsoft SQL Server/${INST}/MSSQL/Binn/xpstar.dll`,
      'collection.log',
      'sysinfo.json',
      'manifest.json',
    ])
      expect(names).toContain(n);
    expect(names).not.toContain('files/C/Windows/System32/winevt/Logs/Unrelated.evtx');
    expect(names).not.toContain('files/C/ProgramData/benign.dll');
    expect(names).not.toContain('files/C/ProgramData/readme.txt');

    // Every stored file: recomputed hashes equal the manifest's.
    let checked = 0;
    for (const f of manifest.files.filter((x) => x.storedPath)) {
      const e = zip.entries.find((x) => x.name === f.storedPath)!;
      const bytes = await zip.readBytes(e, 1 << 24);
      expect(createHash('sha256').update(bytes).digest('hex'), f.storedPath).toBe(f.sha256);
      expect(createHash('md5').update(bytes).digest('hex')).toBe(f.md5);
      expect(bytes.length).toBe(f.size);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(9);
    for (const e of manifest.entries) {
      const bytes = await zip.readBytes(
        zip.entries.find((x) => x.name === e.name)!,
        1 << 24,
      );
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.sha256);
    }
    zip.close();

    const byPath = new Map(manifest.files.map((f) => [f.originalPath, f]));
    expect(byPath.get('C:\\ProgramData\\evil.dll')?.reason).toContain('named by');
    expect(byPath.get('C:\\ProgramData\\Sub\\hidden.dat')?.classification?.isEsp).toBe(true);
    expect(byPath.get('C:\\Missing\\gone.dll')?.error).toBe('not present in the source');
    const app = byPath.get('C:\\Windows\\System32\\winevt\\Logs\\Application.evtx');
    expect(app?.method).toBe('copy');
    expect(app?.modified).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(manifest.collectedBy.hostname).toBe('ANALYST-PC');
    expect(manifest.host).toBe('SQL01');
  });

  it('hashes Binn DLLs without copying them unless --copy-binn', async () => {
    const tree = hostTree();
    const t = testdir(tree);
    track(t.cleanup);
    const r = await collect(baseOptions(t.dir, outDir(), { classify: fakeClassify }));
    const binn = r.manifest.files.filter((f) => f.target === 'SQL Server Binn DLL');
    // xpstar.dll is named by ERRORLOG: copied; nothing else in Binn is a DLL.
    expect(binn.map((f) => [f.originalPath.split('\\').pop(), f.method, Boolean(f.storedPath)])).toEqual([['xpstar.dll', 'copy', true]]);
  });
});
