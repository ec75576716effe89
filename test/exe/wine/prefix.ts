/**
 * A Windows 10 host under wine for the live-collection tests of the Windows executable: a
 * fresh WINEPREFIX, a default SQL Server instance described in the registry with `reg add`,
 * the files of samples/host-maggie on C:, the ERRORLOG folder on a D: drive mapped through
 * the prefix's `dosdevices`, and small helper programs compiled with mingw-w64.
 *
 * Node under wine cannot write to Linux pipes, so every wine program's stdout and stderr go
 * to files (`wineRun` of the executable checks).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { wineRun, WINE_CANDIDATES } from '../../../scripts/build-exe/check-wine.js';
import { SAMPLES } from '../../support/paths.js';

export const MINGW_GCC = 'x86_64-w64-mingw32-gcc';

const MAGGIE = join(SAMPLES, 'host-maggie');
const INSTANCE_ID = 'MSSQL14.MSSQLSERVER';
const SQL_ROOT = `C:\\Program Files\\Microsoft SQL Server\\${INSTANCE_ID}\\MSSQL`;
const SQL_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL Server';

/** The wine loader, or undefined when wine is not installed. */
export function findWine(): string | undefined {
  return WINE_CANDIDATES.find((p) => existsSync(p));
}

export function hasMingw(): boolean {
  return spawnSync(MINGW_GCC, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface WineHost {
  wine: string;
  /** Folder of the prefix; `drive_c` inside it is C:. */
  prefix: string;
  /** Linux folder mapped as D:. */
  dDrive: string;
  /** Where the wine programs' stdout/stderr files go. */
  logs: string;
  env: NodeJS.ProcessEnv;
}

/** A Linux path for a C: path of the prefix (`C:\cases\x.zip` → `<prefix>/drive_c/cases/x.zip`). */
export function linuxPath(host: WineHost, winPath: string): string {
  const m = /^([CD]):\\(.*)$/i.exec(winPath);
  if (!m) throw new Error(`not a C: or D: path: ${winPath}`);
  const root = m[1]?.toUpperCase() === 'C' ? join(host.prefix, 'drive_c') : host.dDrive;
  return join(root, ...(m[2] ?? '').split('\\').filter(Boolean));
}

/**
 * The working folder for wine programs: C:\. A Linux folder outside the prefix has no drive
 * letter (Z: is removed), and a Windows program started there gets a working folder it
 * cannot use: Node's child_process then fails every spawn by name with ENOENT.
 */
export function driveC(host: WineHost): string {
  return join(host.prefix, 'drive_c');
}

/** Runs a wine program with its output in files; throws when it exits non-zero. */
export function wineOk(host: WineHost, args: string[], name: string, timeoutMs = 120_000): string {
  // winecfg makes the prefix, so C: does not exist yet when it starts.
  const cwd = existsSync(driveC(host)) ? driveC(host) : undefined;
  const r = wineRun(host.wine, args, host.env, host.logs, name, timeoutMs, cwd);
  if (r.status !== 0) throw new Error(`wine ${args.join(' ')} exited ${String(r.status)}: ${r.stderr.slice(0, 800)}`);
  return r.stdout;
}

/** A fresh Windows 10 prefix in `dir`; `extraEnv` (e.g. WINEPATH) applies to every wine program. */
export function makePrefix(wine: string, dir: string, extraEnv: NodeJS.ProcessEnv = {}): WineHost {
  const host: WineHost = {
    wine,
    prefix: join(dir, 'prefix'),
    dDrive: join(dir, 'd-drive'),
    logs: join(dir, 'logs'),
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      WINEPREFIX: join(dir, 'prefix'),
      WINEDEBUG: '-all',
      WINEDLLOVERRIDES: 'mscoree,mshtml=',
      DISPLAY: '',
      ...extraEnv,
    },
  };
  mkdirSync(host.prefix, { recursive: true });
  mkdirSync(host.dDrive, { recursive: true });
  mkdirSync(host.logs, { recursive: true });
  // Node 22 refuses to start on Windows older than 8.1, wine's default version.
  wineOk(host, ['winecfg', '/v', 'win10'], 'winecfg', 300_000);
  // Wine maps Z: to the Linux root; no server has such a drive, and espy probes every letter.
  rmSync(join(host.prefix, 'dosdevices', 'z:'), { force: true });
  symlinkSync(host.dDrive, join(host.prefix, 'dosdevices', 'd:'));
  return host;
}

/**
 * samples/host-maggie on the prefix's drives, described the way SQL Server describes itself:
 * the instance in the registry, its ERRORLOG folder (`-e`) on D:\SQLLOGS, its Binn folder
 * from Setup\SQLBinRoot, the backdoor DLL outside Binn in C:\ProgramData, and the event logs
 * in C:\Windows\System32\winevt\Logs.
 */
export function layOutMaggie(host: WineHost): void {
  const c = join(host.prefix, 'drive_c');
  const sampleSql = join(MAGGIE, 'Program Files', 'Microsoft SQL Server', INSTANCE_ID, 'MSSQL');
  const binn = join(c, 'Program Files', 'Microsoft SQL Server', INSTANCE_ID, 'MSSQL', 'Binn');
  mkdirSync(binn, { recursive: true });
  cpSync(join(sampleSql, 'Binn'), binn, { recursive: true });
  mkdirSync(join(host.dDrive, 'SQLLOGS'), { recursive: true });
  for (const f of readdirSync(join(sampleSql, 'Log'))) copyFileSync(join(sampleSql, 'Log', f), join(host.dDrive, 'SQLLOGS', f));
  mkdirSync(join(c, 'ProgramData'), { recursive: true });
  copyFileSync(join(MAGGIE, 'ProgramData', 'ExtendedProcedure.dll'), join(c, 'ProgramData', 'ExtendedProcedure.dll'));
  const logs = join(c, 'windows', 'system32', 'winevt', 'Logs');
  mkdirSync(logs, { recursive: true });
  cpSync(join(MAGGIE, 'Windows', 'System32', 'winevt', 'Logs'), logs, { recursive: true });
  const values: [string, string, string][] = [
    ['Instance Names\\SQL', 'MSSQLSERVER', INSTANCE_ID],
    [`${INSTANCE_ID}\\MSSQLServer\\Parameters`, 'SQLArg0', `-d${SQL_ROOT}\\DATA\\master.mdf`],
    [`${INSTANCE_ID}\\MSSQLServer\\Parameters`, 'SQLArg1', '-eD:\\SQLLOGS\\ERRORLOG'],
    [`${INSTANCE_ID}\\MSSQLServer\\Parameters`, 'SQLArg2', `-l${SQL_ROOT}\\DATA\\mastlog.ldf`],
    [`${INSTANCE_ID}\\Setup`, 'SQLBinRoot', `${SQL_ROOT}\\Binn`],
  ];
  for (const [key, name, data] of values) {
    wineOk(host, ['reg', 'add', `${SQL_KEY}\\${key}`, '/v', name, '/t', 'REG_SZ', '/d', data, '/f'], `reg-${name}`);
  }
}

/** Compiles one of the C helpers beside this file into the prefix (`C:\espy-test\<name>.exe`). */
export function compileHelper(host: WineHost, source: string, name: string): string {
  const dir = join(host.prefix, 'drive_c', 'espy-test');
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(MINGW_GCC, ['-O2', '-s', '-o', join(dir, `${name}.exe`), join(import.meta.dirname, source)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${MINGW_GCC} ${source}: ${r.error?.message ?? r.stderr}`);
  return `C:\\espy-test\\${name}.exe`;
}

/** Starts a wine program in the background (stdout/stderr to files); stop it with `stopWine`. */
export function startWine(host: WineHost, args: string[], name: string): ChildProcess {
  const out = openSync(join(host.logs, `${name}.out`), 'w');
  const err = openSync(join(host.logs, `${name}.err`), 'w');
  try {
    return spawn(host.wine, args, { env: host.env, stdio: ['ignore', out, err], cwd: driveC(host) });
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** Waits for a file to appear (a background program's "ready" signal). */
export async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ends every program of the prefix and its wineserver (which outlives the last program). */
export function stopWine(host: WineHost): void {
  // Debian's `wine` package puts wineserver on PATH; `wine64` alone ships it in /usr/lib/wine.
  const server = ['/usr/bin/wineserver', '/usr/lib/wine/wineserver64', '/usr/lib/wine/wineserver'].find((p) => existsSync(p)) ?? 'wineserver';
  spawnSync(server, ['-k'], { env: host.env, stdio: 'ignore', timeout: 30_000 });
  spawnSync(server, ['-w'], { env: host.env, stdio: 'ignore', timeout: 30_000 });
}
