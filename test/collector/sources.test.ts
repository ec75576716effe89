import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../../collector/collect/index.js';
import { withFaults } from '../../collector/fs-memory.js';
import { nodeFsView } from '../../collector/fs-view.js';
import { openEvidence } from '../../collector/index.js';
import { detectLayout } from '../../collector/source-layout.js';
import { EXIT } from '../../cli/exit-codes.js';
import { runCli } from '../support/cli.js';
import { baseOptions, fakeClassify } from './fixtures.js';
import { errorlogText, fakePe, tempDirs, testdir, utf16 } from './testdir.js';
import { craftZip } from './zip-craft.js';

const { tmp, track } = tempDirs();
function tree(t: Parameters<typeof testdir>[0]): string {
  const d = testdir(t);
  track(d.cleanup);
  return d.dir;
}

const ERRLOG = utf16(errorlogText(["Using 'C:\\ProgramData\\m.dll' version '1.0' to execute extended stored procedure 'maggie'."]));
const SQL = { 'Microsoft SQL Server': { 'MSSQL16.RADAR': { MSSQL: { Log: { ERRORLOG: ERRLOG } } } } };

describe('source layouts', () => {
  it('reads a KAPE target collection (<tdest>/C/...)', async () => {
    const dir = tree({
      KapeOut: { C: { Windows: { System32: { winevt: { Logs: { 'System.evtx': 'sys' } } } }, 'Program Files': SQL, ProgramData: { 'm.dll': fakePe('m') } } },
    });
    const layout = await detectLayout(await nodeFsView(dir));
    expect(layout.kind).toBe('kape');
    expect(layout.drives).toEqual([{ drive: 'C', base: ['KapeOut', 'C'], encoded: false }]);
    const ev = await openEvidence(dir, { sweep: 'none' });
    const paths = (await ev.list()).map((a) => a.originalPath).sort();
    expect(paths).toEqual(['C:\\Program Files\\Microsoft SQL Server\\MSSQL16.RADAR\\MSSQL\\Log\\ERRORLOG', 'C:\\ProgramData\\m.dll', 'C:\\Windows\\System32\\winevt\\Logs\\System.evtx']);
    const sys = (await ev.list()).find((a) => a.originalPath.endsWith('System.evtx'))!;
    const src = await ev.open(sys);
    expect(Buffer.from(await src.read(0, 3)).toString()).toBe('sys');
    await src.close?.();
    await ev.close();
  });

  const veloTree = {
    'collection_context.json': '{}',
    uploads: {
      auto: {
        'C%3A': {
          Windows: { System32: { winevt: { Logs: { 'Microsoft-Windows-Sysmon%254Operational.evtx': 'sysmon' } } } },
          'Program Files': SQL,
          ProgramData: { 'm.dll': fakePe('m opends60.dll') },
        },
      },
      ntfs: { '%5C%5C.%5CD%3A': { 'x.dll': fakePe('x') } },
    },
  };

  it('reads an extracted Velociraptor collection (uploads/auto/C%3A, percent-decoded names)', async () => {
    const dir = tree(veloTree);
    const layout = await detectLayout(await nodeFsView(dir));
    expect(layout.kind).toBe('velociraptor');
    expect(layout.drives.map((d) => d.drive).sort()).toEqual(['C', 'D']);
    const out = tmp('espy-out-');
    const r = await collect(baseOptions(dir, out, { classify: fakeClassify }));
    const stored = r.manifest.files.filter((f) => f.storedPath).map((f) => [f.originalPath, f.storedPath]);
    expect(stored).toContainEqual([
      'C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx',
      'files/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%254Operational.evtx',
    ]);
    expect(stored).toContainEqual(['C:\\ProgramData\\m.dll', 'files/C/ProgramData/m.dll']);
    expect(r.manifest.source.kind).toBe('velociraptor');
  });

  it('reads a Velociraptor collection .zip', async () => {
    const dir = tmp('espy-velo-');
    const zipPath = join(dir, 'Collection-SQL01.zip');
    writeFileSync(
      zipPath,
      craftZip([
        { name: 'uploads/auto/C%3A/Windows/System32/winevt/Logs/Application.evtx', data: 'app' },
        { name: 'uploads/auto/C%3A/Program Files/Microsoft SQL Server/MSSQL16.RADAR/MSSQL/Log/ERRORLOG', data: ERRLOG },
        { name: 'uploads/auto/C%3A/ProgramData/m.dll', data: fakePe('m') },
        { name: 'uploads/../../evil.txt', data: 'x' },
      ]),
    );
    const ev = await openEvidence(zipPath, { sweep: 'none' });
    expect((await ev.list()).map((a) => a.originalPath).sort()).toEqual([
      'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.RADAR\\MSSQL\\Log\\ERRORLOG',
      'C:\\ProgramData\\m.dll',
      'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx',
    ]);
    await ev.close();
    const r = await collect(baseOptions(zipPath, tmp('espy-out-'), { sweep: 'none' }));
    expect(r.files).toBe(3);
    expect(readdirSync(dir)).toEqual(['Collection-SQL01.zip']);
  });
});

describe('hostile trees', () => {
  it('a symlink pointing out of the source is not followed: a manifest row with the error; the run goes on', async () => {
    const outside = tmp('espy-outside-');
    writeFileSync(join(outside, 'secret.txt'), 'SECRET');
    const dir = tree({
      Windows: { System32: { winevt: { Logs: { 'Application.evtx': { link: join(outside, 'secret.txt') }, 'System.evtx': 'sys' } } } },
      ProgramData: { 'link.dll': { link: join(outside, 'secret.txt') }, inner: { 'ok.dll': fakePe('opends60.dll') } },
      Users: { loop: { link: '..' } },
    });
    const r = await collect(baseOptions(dir, tmp('espy-out-'), { classify: fakeClassify }));
    const app = r.manifest.files.find((f) => f.originalPath.endsWith('Application.evtx'));
    expect(app?.storedPath).toBeUndefined();
    expect(app?.error).toMatch(/outside the source/);
    expect(r.manifest.files.find((f) => f.originalPath.endsWith('System.evtx'))?.storedPath).toBeDefined();
    expect(r.manifest.files.find((f) => f.originalPath.endsWith('ok.dll'))?.storedPath).toBeDefined();
    expect(r.manifest.files.some((f) => f.originalPath.endsWith('link.dll'))).toBe(false);
    expect(r.errors).toBe(1);
  });

  it('an unreadable file (EACCES, injected: tests run as root where chmod 000 does not block reads) is a manifest row; exit 3 from the CLI', async () => {
    const dir = tree({ Windows: { System32: { winevt: { Logs: { 'Security.evtx': 'sec', 'System.evtx': 'sys' } } } } });
    const r = await collect(baseOptions(dir, tmp('espy-out-'), { wrapView: (v) => withFaults(v, { 'Windows/System32/winevt/Logs/Security.evtx': 'EACCES' }) }));
    const sec = r.manifest.files.find((f) => f.originalPath.endsWith('Security.evtx'));
    expect(sec?.error).toMatch(/EACCES/);
    expect(sec?.size).toBe(3);
    expect(r.files).toBe(1);
    // A vanished file (listed, gone when opened) is the same kind of row.
    const r2 = await collect(baseOptions(dir, tmp('espy-out-'), { wrapView: (v) => withFaults(v, { 'Windows/System32/winevt/Logs/System.evtx': 'ENOENT' }) }));
    expect(r2.manifest.files.find((f) => f.originalPath.endsWith('System.evtx'))?.error).toMatch(/ENOENT/);
    // Through the CLI a file error means exit 3 (finished, some inputs unreadable).
    const dir2 = tree({ Windows: { System32: { winevt: { Logs: { 'Application.evtx': { link: '/etc/hostname' } } } } } });
    const cli = await runCli(['--json', 'collect', '--source', dir2, '--out', tmp('espy-out-'), '--no-sql'], { env: {} });
    expect(cli.code).toBe(EXIT.PARTIAL);
    const o = JSON.parse(cli.stdout) as Record<string, unknown>;
    expect(o['errors']).toBe(1);
    expect(Object.keys(o)).toEqual(expect.arrayContaining(['bundle', 'verdict', 'findings', 'report']));
  });

  it('long and odd Unicode names are collected under their exact names', async () => {
    const long = `${'ü'.repeat(60)}-${'a'.repeat(100)}.dll`;
    const odd = 'evil \u202e lld.exe .dll';
    const dir = tree({ ProgramData: { 'Ünïcödé 日本語': { [long]: fakePe('opends60.dll'), [odd]: fakePe('opends60.dll') } } });
    const r = await collect(baseOptions(dir, tmp('espy-out-'), { classify: fakeClassify }));
    const names = r.manifest.files.map((f) => f.originalPath);
    expect(names).toContain(`C:\\ProgramData\\Ünïcödé 日本語\\${long}`);
    expect(names).toContain(`C:\\ProgramData\\Ünïcödé 日本語\\${odd}`);
    expect(r.errors).toBe(0);
  });
});
