import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from '../../test/support/paths.js';
import { assert, commandsInHelp, runProgram, Skip, type CheckRun } from './checks.js';

/**
 * Optional: the Windows executable under Debian's wine64 (`apt-get install -y wine64`), with
 * the Windows version set to win10 (Node 22 refuses older ones) and stdout/stderr redirected
 * to files (Node under wine cannot write to Linux pipes). Skipped with a notice when wine is
 * not installed.
 */

export const WINE_CANDIDATES = ['/usr/bin/wine64', '/usr/lib/wine/wine64', '/usr/bin/wine'];

export function wineRun(
  wine: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  outDir: string,
  name: string,
  timeoutMs: number,
  cwd?: string,
): { status: number | null; stdout: string; stderr: string } {
  const outPath = join(outDir, `${name}.out`);
  const errPath = join(outDir, `${name}.err`);
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  try {
    const r = spawnSync(wine, args, { env, stdio: ['ignore', out, err], timeout: timeoutMs, ...(cwd ? { cwd } : {}) });
    if (r.error) throw new Error(`${wine}: ${r.error.message}`);
    return { status: r.status, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** A multi-chunk corpus log (1601 records) for `evtx dump` under wine. */
const EVTX_FILE = 'evtx/williballenthin_python-evtx/tests/data/system.evtx';

export async function checkWine(run: CheckRun, c: { exe: string; linuxExe: string; tmp: string; version: string }): Promise<void> {
  await run.check('optional: Windows exe under wine64 (win10): --version, --help, evtx dump with 2 workers = Linux exe', () => {
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
    try {
      return runUnderWine(wine, env, c);
    } finally {
      // wineserver outlives the last wine process and keeps writing into the prefix.
      spawnSync('wineserver', ['-k'], { env, stdio: 'ignore', timeout: 30_000 });
      spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 30_000 });
    }
  });
}

function runUnderWine(wine: string, env: NodeJS.ProcessEnv, c: { exe: string; linuxExe: string; tmp: string; version: string }): string {
  const setup = wineRun(wine, ['winecfg', '/v', 'win10'], env, c.tmp, 'winecfg', 300_000);
  assert(setup.status === 0, `winecfg /v win10 failed (${setup.status}): ${setup.stderr.slice(0, 500)}`);
  const v = wineRun(wine, [c.exe, '--version'], env, c.tmp, 'version', 300_000);
  assert(v.status === 0, `--version under wine: exit ${v.status}: ${v.stderr.slice(0, 800)}`);
  assert(v.stdout.trim() === c.version, `--version under wine printed ${JSON.stringify(v.stdout.slice(0, 200))}`);
  const h = wineRun(wine, [c.exe, '--help'], env, c.tmp, 'help', 300_000);
  assert(h.status === 0 && h.stdout.includes('Usage: espy'), `--help under wine: exit ${h.status}: ${h.stderr.slice(0, 800)}`);
  const facts = [`${wine}: --version ${v.stdout.trim()}, --help ok`];
  const commands = commandsInHelp(h.stdout);
  const evtx = join(CORPUS, EVTX_FILE);
  if (commands.has('evtx') && existsSync(evtx)) {
    const w = wineRun(wine, [c.exe, 'evtx', 'dump', '--threads', '2', evtx], env, c.tmp, 'evtx', 300_000);
    const l = runProgram(c.linuxExe, ['evtx', 'dump', '--threads', '1', evtx], { cwd: c.tmp });
    assert(w.status === 0 && l.status === 0, `evtx dump: wine exit ${w.status}, linux exit ${l.status}: ${w.stderr.slice(0, 800)}`);
    assert(w.stdout === l.stdout, 'evtx dump output under wine differs from the Linux executable');
    facts.push(`evtx dump --threads 2: ${w.stdout.split('\n').filter(Boolean).length} records identical to Linux`);
  } else facts.push('evtx dump not run (no evtx command or corpus file)');
  return facts.join('; ');
}
