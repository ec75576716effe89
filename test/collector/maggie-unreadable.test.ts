import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { openZip } from '../../collector/zip-reader.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { tempDirs } from './testdir.js';

const { tmp } = tempDirs();

describe('espy collect on samples/host-maggie with one artefact unreadable', () => {
  it('writes a bundle that verifies, lists the failure, exits 3', async () => {
    const src = join(tmp('espy-maggie-'), 'host-maggie');
    cpSync(join(REPO_ROOT, 'samples', 'host-maggie'), src, { recursive: true });
    // Tests run as root, where file modes do not stop reads: a FIFO in place of the log cannot be read either.
    const sec = join(src, 'Windows', 'System32', 'winevt', 'Logs', 'Security.evtx');
    rmSync(sec);
    execFileSync('mkfifo', [sec]);
    const out = tmp('espy-out-');
    const r = await runCli(['--json', 'collect', '--source', src, '--out', out, '--sql-export', join(src, 'sql')]);
    expect(r.code, r.stderr).toBe(EXIT.PARTIAL);
    const res = JSON.parse(r.stdout) as { bundle: string; errors: number; incomplete: boolean; verdict: string | null };
    expect(res.errors).toBe(1);
    expect(res.incomplete).toBe(false);
    expect(res.verdict).toBe('COMPROMISED');
    expect(readdirSync(out).some((n) => n.endsWith('.zip'))).toBe(true);
    const v = await runCli(['verify', res.bundle]);
    expect(v.code, v.stdout + v.stderr).toBe(EXIT.OK);
    const zip = await openZip(res.bundle);
    const manifest = JSON.parse(
      (
        await zip.readBytes(
          zip.entries.find((e) => e.name === 'manifest.json')!,
          1 << 24,
        )
      ).toString(),
    ) as { files: { originalPath: string; error?: string }[] };
    zip.close();
    const row = manifest.files.find((f) => f.originalPath.endsWith('\\Security.evtx'));
    expect(row?.error).toMatch(/not a regular file/);
  }, 120_000);
});
