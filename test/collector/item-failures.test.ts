import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BundleWriteError } from '../../collector/bundle-writer.js';
import { collect, CollectionFailedError } from '../../collector/collect/index.js';
import { withFaults } from '../../collector/fs-memory.js';
import type { FsView } from '../../collector/fs-view.js';
import { verifyBundle } from '../../collector/index.js';
import type { CommandRunner } from '../../collector/live/runner.js';
import { createWindowsLiveHost } from '../../collector/live/windows.js';
import { baseOptions, fakeClassify, hostTree, INST } from './fixtures.js';
import { fakePe, tempDirs, testdir } from './testdir.js';

const { tmp, track } = tempDirs();
const LOGS = 'C/Windows/System32/winevt/Logs';

function tree(extra: Record<string, unknown> = {}): string {
  const d = testdir({ ...hostTree(), ...extra } as Parameters<typeof testdir>[0]);
  track(d.cleanup);
  return d.dir;
}

/** A live host over a temp folder whose wevtutil "succeeds" without a usable file. */
async function liveWithWevtutil(dir: string, write: (file: string, channel: string) => void): Promise<Awaited<ReturnType<typeof createWindowsLiveHost>>> {
  const runner: CommandRunner = (cmd, args) => {
    if (cmd === 'wevtutil.exe') {
      write(args[2] as string, args[1] as string);
      return Promise.resolve({ code: 0, stdout: Buffer.alloc(0), stderr: '' });
    }
    return Promise.resolve({ code: 1, stdout: Buffer.alloc(0), stderr: 'not on this host' });
  };
  const live = await createWindowsLiveHost({ runner, sysinfo: () => Promise.reject(new Error('no sysinfo in tests')), hostName: 'SQL01', driveRoot: () => dir, probeDrives: ['C'] });
  return live;
}

describe('one artefact never stops a collection', () => {
  it('wevtutil exits 0 but writes nothing, or a truncated file: rows with errors, the bundle is written and verifies', async () => {
    const dir = tree();
    const live = await liveWithWevtutil(dir, (file, channel) => {
      if (channel === 'Security') writeFileSync(file, 'ElfFile\0');
    });
    const opts = baseOptions(dir, tmp('espy-out-'), {
      live,
      wrapView: (v) => withFaults(v, { [`${LOGS}/Application.evtx`]: 'EBUSY', [`${LOGS}/Security.evtx`]: 'EBUSY' }),
    });
    delete opts.source;
    const r = await collect(opts);
    const app = r.manifest.files.find((f) => f.originalPath.endsWith('\\Application.evtx'));
    const sec = r.manifest.files.find((f) => f.originalPath.endsWith('\\Security.evtx'));
    expect(app?.error).toMatch(/wevtutil reported success but wrote no file/);
    expect(app?.storedPath).toBeUndefined();
    expect(sec?.method).toBe('export');
    expect(sec?.error).toMatch(/truncated: 8 bytes/);
    expect(sec?.storedPath).toBeDefined();
    expect(r.errors).toBeGreaterThanOrEqual(2);
    expect(r.incomplete).toBe(false);
    expect(r.bundlePath).toMatch(/\.zip$/);
    expect((await verifyBundle(r.bundlePath)).ok).toBe(true);
  });

  it('a file that vanishes between walk and copy, an lstat that throws, a hash read that fails: rows, not the end', async () => {
    const dir = tree({ 'Program Files': { 'Microsoft SQL Server': { [INST]: { MSSQL: { Binn: { 'xpstar.dll': fakePe('xpstar opends60.dll'), 'other.dll': fakePe('other') }, Log: hostLog() } } } } });
    let copying = false;
    const wrap = (v: FsView): FsView => ({
      ...v,
      lstat: (p) => (copying && p.join('/').endsWith('Security.evtx') ? Promise.reject(new Error('EIO: i/o error, lstat')) : v.lstat(p)),
      open: async (p) => {
        const path = p.join('/');
        if (copying && path.endsWith('evil.dll')) return { ok: false, code: 'ENOENT', message: `vanished or not found: ${path}` };
        const r = await v.open(p);
        if (!r.ok || !path.endsWith('other.dll')) return r;
        return { ok: true, value: { ...r.value, read: () => Promise.reject(new Error('EIO: i/o error, read')) } };
      },
    });
    const r = await collect(
      baseOptions(dir, tmp('espy-out-'), {
        wrapView: wrap,
        progress: (phase) => {
          if (phase === 'collecting files') copying = true;
        },
      }),
    );
    const by = (end: string) => r.manifest.files.find((f) => f.originalPath.endsWith(end));
    expect(by('\\evil.dll')?.error).toMatch(/vanished/);
    expect(by('\\Security.evtx')?.error).toMatch(/EIO: i\/o error, lstat/);
    expect(by('\\other.dll')?.error).toMatch(/hashing failed: EIO/);
    expect(by('\\Application.evtx')?.storedPath).toBeDefined();
    expect((await verifyBundle(r.bundlePath)).ok).toBe(true);
  });

  it('a sealed bundle is still written and sealed when artefacts fail', async () => {
    if (!existsSync('/usr/bin/age-keygen')) {
      if (process.env.CI) throw new Error('age-keygen missing in CI');
      return;
    }
    const keyDir = tmp('espy-key-');
    const id = join(keyDir, 'id.txt');
    expect(spawnSync('/usr/bin/age-keygen', ['-o', id]).status).toBe(0);
    const recipient = spawnSync('/usr/bin/age-keygen', ['-y', id], { encoding: 'utf8' }).stdout.trim();
    const r = await collect(baseOptions(tree(), tmp('espy-out-'), { recipients: [recipient], wrapView: (v) => withFaults(v, { [`Windows/System32/winevt/Logs/Security.evtx`]: 'EIO' }) }));
    expect(r.bundlePath).toMatch(/\.zip\.age$/);
    expect(r.manifest.files.find((f) => f.originalPath.endsWith('\\Security.evtx'))?.error).toMatch(/EIO/);
    const secret =
      readFileSync(id, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('AGE-SECRET-KEY-')) ?? '';
    const v = await verifyBundle(r.bundlePath, { identities: [secret] });
    expect(v.ok).toBe(true);
  });

  it('an unexpected failure part-way keeps the .partial zip, finished, its manifest saying why', async () => {
    const out = tmp('espy-out-');
    const wrap = (v: FsView): FsView => ({
      ...v,
      readDir: (p) => (p.join('/') === 'ProgramData' ? Promise.reject(new Error('boom in the walk')) : v.readDir(p)),
    });
    const err = await collect(baseOptions(tree(), out, { wrapView: wrap, classify: fakeClassify })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectionFailedError);
    const kept = (err as CollectionFailedError).partialPath;
    expect(kept).toMatch(/\.zip\.partial$/);
    expect(readdirSync(out)).toContain(kept.replace(/^.*[\\/]/, ''));
    const v = await verifyBundle(kept);
    expect(v.incomplete).toBe(true);
    expect(v.ok).toBe(true);
  });

  it('a read error half-way through a stream: the partial bytes are stored, the row says so', async () => {
    const wrap = (v: FsView): FsView => ({
      ...v,
      open: async (p) => {
        const r = await v.open(p);
        if (!r.ok || !p.join('/').endsWith('ERRORLOG')) return r;
        const half = (async function* () {
          yield Buffer.from('half');
          throw new Error('EIO: i/o error, read');
        })();
        return { ok: true, value: { ...r.value, stream: () => Readable.from(half) } };
      },
    });
    const r = await collect(baseOptions(tree(), tmp('espy-out-'), { wrapView: wrap }));
    const e = r.manifest.files.find((f) => f.originalPath.endsWith('\\ERRORLOG'));
    expect(e?.error).toMatch(/read failed after 4 bytes/);
    expect((await verifyBundle(r.bundlePath)).ok).toBe(true);
  });
});

function hostLog(): Record<string, string> {
  return { ERRORLOG: "2024-03-01 10:00:00.00 spid51      Using 'C:\\ProgramData\\evil.dll' version '1.0.0' to execute extended stored procedure 'maggie'.\r\n" };
}

describe('the output disk fills up', () => {
  it('ENOSPC part-way: a clear error naming the kept, incomplete .partial file', async () => {
    const out = tmp('espy-tiny-');
    // A 64 KiB tmpfs as the output folder (needs root and mount rights: skipped where absent).
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', out]).status !== 0) {
      console.log('ENOSPC test skipped: cannot mount a tmpfs here');
      return;
    }
    track(() => void spawnSync('umount', [out]));
    const big = Buffer.alloc(512 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251; // barely compressible
    const dir = tree({ Windows: { System32: { winevt: { Logs: { 'Application.evtx': 'ElfFile\0app', 'Security.evtx': big } } } } });
    const err = await collect(baseOptions(dir, out, { level: 0 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleWriteError);
    expect((err as Error).message).toMatch(/disk is full.*partial bundle .*\.zip\.partial is kept, incomplete/);
    const kept = (err as BundleWriteError).partialPath ?? '';
    expect(readdirSync(out)).toContain(kept.replace(/^.*[\\/]/, ''));
  });
});

describe('Ctrl-C during the sweep', () => {
  it('the logs and the DLLs they name are already in the bundle', async () => {
    const ac = new AbortController();
    // Named DLLs are classified while copied; sweep candidates (benign.dll, hidden.dat) only in the sweep.
    const classify = (b: Uint8Array, path: string): ReturnType<typeof fakeClassify> => {
      if (/benign\.dll$|hidden\.dat$/.test(path)) ac.abort(new Error('SIGINT'));
      return fakeClassify(b);
    };
    const r = await collect(baseOptions(tree(), tmp('espy-out-'), { signal: ac.signal, classify }));
    expect(r.incomplete).toBe(true);
    const stored = r.manifest.files.filter((f) => f.storedPath).map((f) => f.originalPath);
    expect(stored).toEqual(expect.arrayContaining([expect.stringMatching(/\\ERRORLOG$/), expect.stringMatching(/\\Application\.evtx$/), 'C:\\ProgramData\\evil.dll']));
    expect(stored.some((p) => p.endsWith('hidden.dat'))).toBe(false);
    expect((await verifyBundle(r.bundlePath)).incomplete).toBe(true);
  });
});
