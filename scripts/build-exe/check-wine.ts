import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, Skip, type CheckRun } from './checks.js';

/**
 * Optional: the Windows executable under Debian's wine64 (`apt-get install -y wine64`), with
 * the Windows version set to win10 (Node 22 refuses older ones) and stdout/stderr redirected
 * to files (Node under wine cannot write to Linux pipes). Skipped with a notice when wine is
 * not installed.
 */

const WINE_CANDIDATES = ['/usr/bin/wine64', '/usr/lib/wine/wine64', '/usr/bin/wine'];

function wineRun(wine: string, args: string[], env: NodeJS.ProcessEnv, outDir: string, name: string, timeoutMs: number): { status: number | null; stdout: string; stderr: string } {
  const outPath = join(outDir, `${name}.out`);
  const errPath = join(outDir, `${name}.err`);
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  try {
    const r = spawnSync(wine, args, { env, stdio: ['ignore', out, err], timeout: timeoutMs });
    if (r.error) throw new Error(`${wine}: ${r.error.message}`);
    return { status: r.status, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

export async function checkWine(run: CheckRun, c: { exe: string; tmp: string; version: string }): Promise<void> {
  await run.check('optional: Windows exe under wine64 (win10) prints --version and --help', () => {
    const wine = WINE_CANDIDATES.find((p) => existsSync(p));
    if (!wine) throw new Skip('wine64 not installed (optional: apt-get install -y wine64)');
    const prefix = join(c.tmp, 'wineprefix');
    mkdirSync(prefix, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: c.tmp,
      WINEPREFIX: prefix,
      WINEDEBUG: '-all',
      WINEDLLOVERRIDES: 'mscoree,mshtml=',
      DISPLAY: '',
    };
    const setup = wineRun(wine, ['winecfg', '/v', 'win10'], env, c.tmp, 'winecfg', 300_000);
    assert(setup.status === 0, `winecfg /v win10 failed (${setup.status}): ${setup.stderr.slice(0, 500)}`);
    const v = wineRun(wine, [c.exe, '--version'], env, c.tmp, 'version', 300_000);
    assert(v.status === 0, `--version under wine: exit ${v.status}: ${v.stderr.slice(0, 800)}`);
    assert(v.stdout.trim() === c.version, `--version under wine printed ${JSON.stringify(v.stdout.slice(0, 200))}`);
    const h = wineRun(wine, [c.exe, '--help'], env, c.tmp, 'help', 300_000);
    assert(h.status === 0 && h.stdout.includes('Usage: espy'), `--help under wine: exit ${h.status}: ${h.stderr.slice(0, 800)}`);
    return `${wine}: ${v.stdout.trim()}`;
  });
}
