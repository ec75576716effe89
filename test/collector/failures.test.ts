import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleWriteError } from '../../collector/bundle-writer.js';
import { collect } from '../../collector/collect/index.js';
import type { FsView } from '../../collector/fs-view.js';
import { parseManifest } from '../../collector/manifest.js';
import { openBundleEvidence, verifyBundle } from '../../collector/index.js';
import { runCli } from '../support/cli.js';
import { openZip } from '../../collector/zip-reader.js';
import { baseOptions, fakeClassify, hostTree } from './fixtures.js';
import { tempDirs, testdir } from './testdir.js';

const { tmp, track } = tempDirs();
function tree(): string {
  const d = testdir(hostTree());
  track(d.cleanup);
  return d.dir;
}

describe('collection failures', () => {
  it('an unwritable output folder is a clear error and leaves no bundle', async () => {
    const base = tmp('espy-out-');
    const notADir = join(base, 'file');
    writeFileSync(notADir, 'x');
    await expect(collect(baseOptions(tree(), join(notADir, 'out')))).rejects.toBeInstanceOf(BundleWriteError);
    expect(readdirSync(base)).toEqual(['file']);
  });

  it('Ctrl-C part-way: the zip is finished, keeps its .partial name and its manifest says incomplete', async () => {
    const out = tmp('espy-out-');
    const ac = new AbortController();
    let opens = 0;
    const wrap = (v: FsView): FsView => ({
      ...v,
      open: async (p) => {
        // Abort after the planning reads, during the copy phase.
        if (p.join('/').endsWith('Security.evtx') && ++opens === 1) ac.abort(new Error('SIGINT'));
        return v.open(p);
      },
    });
    const r = await collect(baseOptions(tree(), out, { signal: ac.signal, wrapView: wrap, classify: fakeClassify }));
    expect(r.incomplete).toBe(true);
    expect(r.bundlePath).toMatch(/\.zip\.partial$/);
    expect(readdirSync(out).some((n) => n.endsWith('.zip'))).toBe(false);
    const zip = await openZip(r.bundlePath);
    const m = parseManifest(
      (
        await zip.readBytes(
          zip.entries.find((e) => e.name === 'manifest.json')!,
          1 << 24,
        )
      ).toString(),
    );
    zip.close();
    expect(m.incomplete).toBe(true);
    expect(m.incompleteReason).toBe('interrupted');
    const v = await verifyBundle(r.bundlePath);
    expect(v.incomplete).toBe(true);
  });

  it('Ctrl-C during a file that never ends: the entry is cut at once, the row says interrupted', async () => {
    const { Readable } = await import('node:stream');
    const ac = new AbortController();
    const wrap = (v: FsView): FsView => ({
      ...v,
      open: async (p) => {
        const r = await v.open(p);
        if (!r.ok || !p.join('/').endsWith('Security.evtx')) return r;
        // A file that keeps producing bytes (a growing log on a live host); abort once it is streaming.
        let n = 0;
        const endless = new Readable({
          read() {
            if (++n === 3) ac.abort(new Error('SIGINT'));
            setTimeout(() => this.push(Buffer.alloc(4096, 1)), 1);
          },
        });
        return { ok: true, value: { ...r.value, stream: () => endless } };
      },
    });
    const r = await collect(baseOptions(tree(), tmp('espy-out-'), { signal: ac.signal, wrapView: wrap }));
    expect(r.incomplete).toBe(true);
    const sec = r.manifest.files.find((f) => f.originalPath.endsWith('Security.evtx'));
    expect(sec?.error).toMatch(/read failed after \d+ bytes.*interrupted/);
  });

  it('--max-file-size: a larger file is listed with the reason, not read', async () => {
    const r = await collect(baseOptions(tree(), tmp('espy-out-'), { maxFileSize: 11 }));
    const big = r.manifest.files.find((f) => f.originalPath.endsWith('ERRORLOG'));
    expect(big?.error).toMatch(/max-file-size/);
    expect(big?.storedPath).toBeUndefined();
    expect(r.manifest.files.find((f) => f.originalPath.endsWith('Application.evtx'))?.storedPath).toBeDefined();
  });

  it('a read error part-way keeps the zip valid and says the stored bytes are partial', async () => {
    const { Readable } = await import('node:stream');
    const wrap = (v: FsView): FsView => ({
      ...v,
      open: async (p) => {
        const r = await v.open(p);
        if (!r.ok || !p.join('/').endsWith('Application.evtx')) return r;
        const f = r.value;
        return {
          ok: true,
          value: {
            ...f,
            stream: () =>
              Readable.from(
                (async function* () {
                  yield Buffer.from('Elf');
                  throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
                })(),
              ),
          },
        };
      },
    });
    const r = await collect(baseOptions(tree(), tmp('espy-out-'), { wrapView: wrap }));
    const app = r.manifest.files.find((f) => f.originalPath.endsWith('Application.evtx'));
    expect(app?.error).toMatch(/read failed after 3 bytes/);
    expect(app?.size).toBe(3);
    expect((await verifyBundle(r.bundlePath)).ok).toBe(true);
  });

  it('--password: AES-256 entries; the password appears nowhere in the bundle or its log', async () => {
    const secret = 'Corr3ct-Horse-Battery!';
    const out = tmp('espy-out-');
    const r = await collect(baseOptions(tree(), out, { password: Buffer.from(secret), recordedOptions: { passwordEnv: '(set)' } }));
    const zip = await openZip(r.bundlePath);
    expect(zip.entries.filter((e) => !e.isDir).every((e) => e.encrypted)).toBe(true);
    zip.close();
    const raw = readFileSync(r.bundlePath);
    expect(raw.includes(Buffer.from(secret))).toBe(false);
    expect(raw.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    expect(r.manifest.encrypted).toBe(true);
    expect(JSON.stringify(r.manifest)).not.toContain(secret);
    const v = await verifyBundle(r.bundlePath);
    expect(v.sidecar).toBe('ok');
    expect(v.problems.every((p) => p.problem === 'encrypted')).toBe(true);
    expect(existsSync(`${r.bundlePath}.sha256`)).toBe(true);

    // With the password, every entry decrypts (HMAC checked) to bytes whose hashes equal the manifest's.
    const ok = await verifyBundle(r.bundlePath, { password: Buffer.from(secret) });
    expect(ok.problems).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBe(r.manifest.files.filter((f) => f.storedPath).length + r.manifest.entries.length);
    const bad = await verifyBundle(r.bundlePath, { password: Buffer.from('wrong') });
    expect(bad.ok).toBe(false);
    expect(bad.manifestError).toMatch(/wrong password/);
    const ev = await openBundleEvidence(r.bundlePath, { password: Buffer.from(secret) });
    const app = (await ev.list()).find((a) => a.originalPath.endsWith('Application.evtx'))!;
    const src = await ev.open(app);
    expect(Buffer.from(await src.read(0, src.size)).toString('latin1')).toBe('ElfFile\0app');
    await ev.close();
    const cli = await runCli(['verify', '--password-env', 'ESPY_PW', r.bundlePath], { env: { ESPY_PW: secret } });
    expect(cli.code).toBe(0);
  });
});
