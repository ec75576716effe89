/**
 * The Windows executable, live (no --source), on a Windows 10 host under Debian's wine: the
 * instance found through the registry (`reg.exe`), its ERRORLOG read from D: (the `-e` startup
 * parameter), the backdoor DLL outside Binn collected, COMPROMISED, and a bundle the Linux CLI
 * verifies; run again without --no-sql, the missing sqlcmd is a note and exit 0. Second host:
 * two event logs held open with no sharing (as the event log service holds them) and a
 * `wevtutil.exe` first on PATH that exits 0 and writes nothing; the bundle is still written,
 * with a failure row for each of those logs, and the exit code is 3.
 *
 * Needs wine (`apt-get install wine wine64`) and mingw-w64 (`gcc-mingw-w64-x86-64`); without them
 * the file is skipped, unless ESPY_REQUIRE_WINE is set (CI), where it fails. The executable
 * is built from the sources at test time (ESPY_WIN_EXE=path uses one already built), and
 * ESPY_KEEP_WINE=1 keeps the prefixes and the wine programs' output files for a post-mortem.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { buildExecutables, defaultCacheDir } from '../../scripts/build-exe/executables.js';
import { wineRun } from '../../scripts/build-exe/check-wine.js';
import { requireFreshBuild } from '../support/build.js';
import { REPO_ROOT, SAMPLES } from '../support/paths.js';
import { compileHelper, driveC, findWine, hasMingw, layOutMaggie, linuxPath, makePrefix, startWine, stopWine, waitForFile, type WineHost } from './wine/prefix.js';

const wine = findWine();
const ready = wine !== undefined && hasMingw();
if (!ready && process.env['ESPY_REQUIRE_WINE']) throw new Error('ESPY_REQUIRE_WINE is set but wine or x86_64-w64-mingw32-gcc is missing');
if (!ready) console.warn('wine-live: skipped (needs wine64 and gcc-mingw-w64-x86-64)');

const BIN = join(REPO_ROOT, 'bin', 'espy.js');
/** A folder the DLL sweep walks (Users; spelt as wine's prefix spells it). */
const EXE_DIR = 'C:\\users\\Public\\espy';
const EXE_WIN = `${EXE_DIR}\\espy-win-x64.exe`;
const work = mkdtempSync(join(tmpdir(), 'espy-wine-live-'));
let exe = '';
const hosts: WineHost[] = [];

interface ManifestRow {
  originalPath: string;
  sha256?: string;
  error?: string;
  method?: string;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** A fresh Windows 10 prefix with host-maggie laid out and the executable in a swept folder. */
function newHost(name: string, extraEnv: NodeJS.ProcessEnv = {}): WineHost {
  const t0 = performance.now();
  const host = makePrefix(wine as string, join(work, name), extraEnv);
  hosts.push(host);
  layOutMaggie(host);
  mkdirSync(linuxPath(host, EXE_DIR), { recursive: true });
  copyFileSync(exe, linuxPath(host, EXE_WIN));
  console.log(`wine-live ${name}: prefix, registry and files ready in ${seconds(t0)}`);
  return host;
}

/** `espy --json collect --out C:\cases --no-sql` under wine: exit code, parsed stdout, manifest. */
function collectLive(
  host: WineHost,
  name: string,
  args = ['--out', 'C:\\cases', '--no-sql'],
): { status: number | null; out: Record<string, unknown>; rows: ManifestRow[]; zip: string; stderr: string } {
  const t0 = performance.now();
  const r = wineRun(host.wine, [EXE_WIN, '--json', 'collect', ...args], host.env, host.logs, name, 240_000, driveC(host));
  console.log(`wine-live ${name}: collect exited ${String(r.status)} in ${seconds(t0)}`);
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`collect under wine exited ${String(r.status)} without JSON on stdout: ${r.stderr.slice(0, 1500)}`);
  }
  const zip = linuxPath(host, String(out['bundle']));
  const manifest = spawnSync('unzip', ['-p', zip, 'manifest.json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (manifest.status !== 0) throw new Error(`unzip -p ${zip} manifest.json: ${manifest.stderr}`);
  const rows = (JSON.parse(manifest.stdout) as { files: ManifestRow[] }).files;
  return { status: r.status, out, rows, zip, stderr: r.stderr };
}

/** `espy verify` of the bundle by the Linux CLI. */
function verifyOnLinux(zip: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'verify', zip], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: work, NO_COLOR: '1' }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!ready)('the Windows executable, live under wine (Windows 10)', () => {
  beforeAll(async () => {
    requireFreshBuild();
    const given = process.env['ESPY_WIN_EXE'];
    if (given) {
      exe = given;
      console.log(`wine-live: using ${exe} (ESPY_WIN_EXE)`);
      return;
    }
    const t0 = performance.now();
    const report = await buildExecutables({
      repoRoot: REPO_ROOT,
      outDir: join(work, 'dist'),
      cacheDir: defaultCacheDir(REPO_ROOT, process.env),
      targets: ['win'],
      log: () => undefined,
    });
    exe = report.outputs[0]?.path ?? '';
    console.log(`wine-live: built ${exe} in ${seconds(t0)}`);
  }, 300_000);

  afterAll(() => {
    for (const h of hosts) stopWine(h);
    if (!process.env['ESPY_KEEP_WINE']) rmSync(work, { recursive: true, force: true });
  }, 150_000);

  it('collects the ERRORLOG from D:, the DLL outside Binn, says COMPROMISED; the Linux CLI verifies the bundle; no sqlcmd is a note', () => {
    const host = newHost('default');
    const r = collectLive(host, 'collect-default');
    expect(r.status, r.stderr).toBe(EXIT.OK);
    expect(r.out['verdict']).toBe('COMPROMISED');
    expect(r.out['incomplete']).toBe(false);
    expect(String(r.out['bundle'])).toMatch(/^C:\\cases\\espy-[^\\]+\.zip$/);
    expect(existsSync(`${r.zip}.sha256`)).toBe(true);
    const paths = r.rows.map((f) => f.originalPath).join('\n');
    const errorlog = r.rows.find((f) => f.originalPath === 'D:\\SQLLOGS\\ERRORLOG');
    expect(errorlog, paths).toBeDefined();
    expect(errorlog?.error).toBeUndefined();
    expect(errorlog?.sha256).toBe(sha256(join(host.dDrive, 'SQLLOGS', 'ERRORLOG')));
    const dll = r.rows.find((f) => f.originalPath === 'C:\\ProgramData\\ExtendedProcedure.dll');
    expect(dll, paths).toBeDefined();
    expect(dll?.error).toBeUndefined();
    expect(dll?.sha256).toBe(sha256(join(SAMPLES, 'host-maggie', 'ProgramData', 'ExtendedProcedure.dll')));
    const logs = r.rows.filter((f) => /^C:\\windows\\system32\\winevt\\Logs\\/i.test(f.originalPath));
    expect(logs.length).toBe(4);
    expect(logs.filter((f) => f.error !== undefined)).toEqual([]);
    // The sweep walks Users but leaves espy's own executable alone.
    expect(r.rows.some((f) => f.originalPath.toLowerCase() === EXE_WIN.toLowerCase())).toBe(false);
    const log = spawnSync('unzip', ['-p', r.zip, 'collection.log'], { encoding: 'utf8' }).stdout;
    expect(log).toContain(`${EXE_WIN} skipped: espy's own executable`);
    const v = verifyOnLinux(r.zip);
    expect(v.status, v.stdout + v.stderr).toBe(EXIT.OK);
    expect(v.stdout).toMatch(/sidecar: ok/);
    // Without --no-sql on a host with no sqlcmd: a note saying what is missing and how to get it, exit 0.
    const s = collectLive(host, 'collect-sql-absent', ['--out', 'C:\\cases-sql']);
    expect(s.status, s.stderr).toBe(EXIT.OK);
    expect(s.stderr).toMatch(/sqlcmd is not installed: .*espy sql-script/);
    expect(s.out['verdict']).toBe('COMPROMISED');
  }, 300_000);

  it('an event log whose wevtutil export writes nothing is a failure row: the bundle is written and verifies, exit 3', async () => {
    // WINEPATH goes first on the Windows PATH: the stub is found before wine's own wevtutil.
    const host = newHost('wevtutil-writes-nothing', { WINEPATH: 'C:\\espy-test' });
    compileHelper(host, 'wevtutil-stub.c', 'wevtutil');
    const hold = compileHelper(host, 'hold-open.c', 'hold-open');
    const logDir = 'C:\\windows\\system32\\winevt\\Logs';
    startWine(host, [hold, 'C:\\held.txt', `${logDir}\\Security.evtx`, `${logDir}\\System.evtx`], 'hold-open');
    await waitForFile(linuxPath(host, 'C:\\held.txt'), 60_000);
    const r = collectLive(host, 'collect-wevtutil');
    expect(r.status, r.stderr).toBe(EXIT.PARTIAL);
    expect(r.out['incomplete']).toBe(false);
    expect(r.out['errors']).toBe(2);
    const calls = readFileSync(linuxPath(host, 'C:\\wevtutil-stub.log'), 'utf8').trim().split(/\r?\n/);
    expect(calls.map((c) => /\bepl (\S+)/.exec(c)?.[1]).sort()).toEqual(['Security', 'System']);
    for (const name of ['Security.evtx', 'System.evtx']) {
      const row = r.rows.find((f) => f.originalPath.toLowerCase() === `${logDir}\\${name}`.toLowerCase());
      expect(row?.error, name).toMatch(/wevtutil reported success but wrote no file/);
      expect(row?.sha256, name).toBeUndefined();
    }
    const app = r.rows.find((f) => f.originalPath.toLowerCase() === `${logDir}\\Application.evtx`.toLowerCase());
    expect(app?.error).toBeUndefined();
    expect(r.rows.find((f) => f.originalPath === 'D:\\SQLLOGS\\ERRORLOG')?.error).toBeUndefined();
    expect(r.out['verdict']).toBe('COMPROMISED');
    const v = verifyOnLinux(r.zip);
    expect(v.status, v.stdout + v.stderr).toBe(EXIT.OK);
  }, 300_000);
});
