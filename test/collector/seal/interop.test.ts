import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../../../collector/collect/index.js';
import { verifyBundle } from '../../../collector/index.js';
import { EXIT } from '../../../cli/exit-codes.js';
import { runCli } from '../../support/cli.js';
import { baseOptions, fakeClassify, hostTree } from '../fixtures.js';
import { tempDirs, testdir } from '../testdir.js';

const { tmp, track } = tempDirs();
const AGE = '/usr/bin/age';
const AGE_KEYGEN = '/usr/bin/age-keygen';
const BSDTAR = '/usr/bin/bsdtar';

function needTools(): boolean {
  const missing = [AGE, AGE_KEYGEN, BSDTAR].filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  if (process.env.CI) throw new Error(`${missing.join(', ')} missing in CI: .ci/run must install age and libarchive-tools`);
  return false;
}

/** `n` identities from espy keygen (the first) and Debian age-keygen (the rest). */
async function keys(dir: string, n: number): Promise<{ ids: string[]; recipients: string[] }> {
  const ids: string[] = [];
  const recipients: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = join(dir, `id${i}.txt`);
    if (i === 0) {
      const r = await runCli(['keygen', '-o', id]);
      expect(r.code, r.stderr).toBe(EXIT.OK);
      recipients.push(r.stdout.trim());
    } else {
      expect(spawnSync(AGE_KEYGEN, ['-o', id]).status).toBe(0);
      recipients.push(spawnSync(AGE_KEYGEN, ['-y', id], { encoding: 'utf8' }).stdout.trim());
    }
    ids.push(id);
  }
  return { ids, recipients };
}

async function plainBundle(): Promise<string> {
  const t = testdir(hostTree());
  track(t.cleanup);
  return (await collect(baseOptions(t.dir, tmp('espy-out-'), { classify: fakeClassify }))).bundlePath;
}

describe('sealed bundles: espy and Debian age, both ways', () => {
  for (const n of [1, 3]) {
    it(`espy collect --recipient ×${n}: age -d | bsdtar lists the manifest for every recipient; espy verify OK; no plaintext left in the out folder`, async () => {
      if (!needTools()) return;
      const dir = tmp('espy-seal-');
      const { ids, recipients } = await keys(dir, n);
      const t = testdir(hostTree());
      track(t.cleanup);
      const out = join(dir, 'out');
      const r = await runCli(['--json', 'collect', '--source', t.dir, '--out', out, '--sweep', 'none', ...recipients.flatMap((k) => ['--recipient', k])]);
      // The fixture host's ERRORLOG names a DLL that is not on it: partial, as for a plain bundle.
      expect(r.code, r.stderr).toBe(EXIT.PARTIAL);
      const o = JSON.parse(r.stdout) as { bundle: string; sha256: string; report: string | null; sealed: { recipients: string[] } };
      expect(o.bundle).toMatch(/\.zip\.age$/);
      expect(o.report).toBeNull();
      expect(o.sealed.recipients).toEqual(recipients);
      // Only the sealed bundle and its sidecar: no report folder, no .partial, nothing in clear.
      expect(readdirSync(out).sort()).toEqual([`${o.bundle.replace(/^.*\//, '')}`, `${o.bundle.replace(/^.*\//, '')}.sha256`].sort());
      expect(readFileSync(`${o.bundle}.sha256`, 'utf8')).toContain(o.sha256);
      for (const id of ids) {
        const list = spawnSync('sh', ['-c', `${AGE} -d -i "$1" "$2" | ${BSDTAR} -tf -`, 'sh', id, o.bundle], { encoding: 'utf8' });
        expect(list.status, list.stderr).toBe(0);
        expect(list.stdout.split('\n')).toContain('manifest.json');
        expect(list.stdout.split('\n')).toContain('analysis.json');
        // Info-ZIP unzip cannot read a zip from a pipe (`unzip -l -` prints its usage): decrypted to a file, it lists it.
        const plain = join(dir, 'plain.zip');
        expect(spawnSync(AGE, ['-d', '-i', id, '-o', plain, o.bundle]).status).toBe(0);
        const unzip = spawnSync('unzip', ['-l', plain], { encoding: 'utf8' });
        expect(unzip.status, unzip.stderr).toBe(0);
        expect(unzip.stdout).toMatch(/\smanifest\.json\n/);
        rmSync(plain);
        const v = await runCli(['verify', o.bundle, '--identity', id]);
        expect(v.code, v.stderr).toBe(EXIT.OK);
        expect(v.stdout).toContain('sealed');
        expect(v.stdout).toContain('sidecar: ok');
      }
    });

    it(`espy reads what age -r (×${n}) and age -R made`, async () => {
      if (!needTools()) return;
      const dir = tmp('espy-seal-');
      const { ids, recipients } = await keys(dir, n);
      const plain = await plainBundle();
      const byR = join(dir, 'r.zip.age');
      const byFile = join(dir, 'f.zip.age');
      writeFileSync(join(dir, 'recipients.txt'), `# analysts\n${recipients.join('\n')}\n`);
      expect(spawnSync(AGE, [...recipients.flatMap((k) => ['-r', k]), '-o', byR, plain]).status).toBe(0);
      expect(spawnSync(AGE, ['-R', join(dir, 'recipients.txt'), '-o', byFile, plain]).status).toBe(0);
      for (const f of [byR, byFile]) {
        for (const id of ids) {
          const rep = await verifyBundle(f, {
            identities: readFileSync(id, 'utf8')
              .split('\n')
              .filter((l) => l.startsWith('AGE-SECRET-KEY-')),
          });
          expect(rep.problems).toEqual([]);
          expect(rep.sealed).toBe(true);
          expect(rep.ok).toBe(true);
        }
      }
      const a = await runCli(['--json', 'analyze', byR, '--identity', ids[0] as string, '--out', join(dir, 'an')]);
      expect(a.code, a.stderr).toBe(EXIT.OK);
      expect((JSON.parse(a.stdout) as { verdict: string }).verdict).toBe('COMPROMISED');
    });
  }

  it('a flipped byte or a cut file → exit 4 with the reason; a wrong or missing identity → exit 2', async () => {
    if (!needTools()) return;
    const dir = tmp('espy-seal-');
    const { ids, recipients } = await keys(dir, 2);
    const plain = await plainBundle();
    const sealed = join(dir, 'b.zip.age');
    expect(spawnSync(AGE, ['-r', recipients[0] as string, '-o', sealed, plain]).status).toBe(0);
    const size = statSync(sealed).size;
    const bytes = readFileSync(sealed);
    const flipped = join(dir, 'flipped.zip.age');
    const b2 = Buffer.from(bytes);
    const at = Math.floor(size * 0.6);
    b2[at] = (b2[at] as number) ^ 0x40;
    writeFileSync(flipped, b2);
    const cut = join(dir, 'cut.zip.age');
    writeFileSync(cut, bytes.subarray(0, size - 100));
    for (const f of [flipped, cut]) {
      for (const cmd of ['verify', 'analyze']) {
        const r = await runCli([cmd, f, '--identity', ids[0] as string, '--out', join(dir, 'x')].slice(0, cmd === 'verify' ? 4 : 6));
        expect(r.code, `${cmd} ${f}`).toBe(EXIT.CHECK_FAILED);
        expect(r.stderr).toMatch(/sealed bundle damaged: chunk \d+ .*does not authenticate/);
      }
    }
    const wrong = await runCli(['verify', sealed, '--identity', ids[1] as string]);
    expect(wrong.code).toBe(EXIT.USAGE);
    expect(wrong.stderr).toContain('none of the given identities can open this sealed bundle');
    const none = await runCli(['analyze', sealed, '--out', join(dir, 'x')]);
    expect(none.code).toBe(EXIT.USAGE);
    expect(none.stderr).toContain('give the analyst');
    const pub = join(dir, 'pub.txt');
    writeFileSync(pub, `${recipients[0] as string}\n`);
    const asId = await runCli(['verify', sealed, '--identity', pub]);
    expect(asId.code).toBe(EXIT.USAGE);
    expect(asId.stderr).toContain('public recipient');
    copyFileSync(sealed, join(dir, 'ok.zip.age'));
    expect((await runCli(['verify', join(dir, 'ok.zip.age'), '--identity', ids[0] as string])).code).toBe(EXIT.OK);
  });

  it('keygen: 0600, never overwrites, Debian age opens what is sealed to its recipient; collect refuses a secret key as recipient', async () => {
    if (!needTools()) return;
    const dir = tmp('espy-seal-');
    const id = join(dir, 'id.txt');
    const r = await runCli(['keygen', '-o', id]);
    expect(r.code).toBe(EXIT.OK);
    expect(statSync(id).mode & 0o777).toBe(0o600);
    expect(spawnSync(AGE_KEYGEN, ['-y', id], { encoding: 'utf8' }).stdout.trim()).toBe(r.stdout.trim());
    const before = readFileSync(id, 'utf8');
    const again = await runCli(['keygen', '-o', id]);
    expect(again.code).toBe(EXIT.USAGE);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(id, 'utf8')).toBe(before);
    const secret = before.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-')) as string;
    const bad = await runCli(['collect', '--source', dir, '--out', join(dir, 'o'), '--recipient', secret]);
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.stderr).toContain('give the public recipient');
    expect(bad.stderr).not.toContain(secret.slice(15, 30));
    const both = await runCli(['collect', '--source', dir, '--out', join(dir, 'o'), '--recipient', r.stdout.trim(), '--password-env', 'X'], { env: { X: 'pw' } });
    expect(both.code).toBe(EXIT.USAGE);
  });
});
