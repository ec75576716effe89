/**
 * The live Windows host (no --source): fixed drives read through the read-only FsView,
 * locked event logs exported with `wevtutil epl`, SQL Server instances from the registry
 * (`reg.exe query`), the triage SQL run with `sqlcmd -E` (Windows authentication: no
 * password anywhere), and the systeminformation snapshot. Every command goes through an
 * injected `CommandRunner`, so tests replay recorded outputs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFsView, type FsView } from '../fs-view.js';
import { channelFromLogFile, type LiveExport, type LiveHost, type SqlInstanceDirs, type SqlQueryOutput } from '../live-host.js';
import { baseName } from '../win-path.js';
import { decodeConsole, driveLetters, errorlogDirFromParams, parseDriveList, parseRegInstances, parseRegValues, sqlServerName, sqlServerPaths } from './parse-output.js';
import { execRunner, type CommandRunner } from './runner.js';
import { SQLCMD_SEPARATOR, TRIAGE_SQL, TRIAGE_SQL_VERSION } from '../sql/triage-sql.js';
import { buildSnapshot, systeminformationSource, type SysinfoSource } from './sysinfo.js';

/** One triage script; by default espy's own (collector/sql/triage-sql.ts). */
export interface TriageScript {
  name: string;
  sql: string;
}

export interface WindowsLiveOptions {
  noSql?: boolean;
  runner?: CommandRunner;
  sysinfo?: SysinfoSource;
  scripts?: readonly TriageScript[];
  hostName?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Drive letter → folder (tests map drives to temp folders). */
  driveRoot?(letter: string): string;
  /** Letters whose roots are probed in-process (default `A`..`Z`). */
  probeDrives?: readonly string[];
}

/** Said when sqlcmd is not installed: what is missing and how to get it. */
export const SQLCMD_ABSENT =
  "sqlcmd is not installed: SQL Server's registered ESPs, logins and sysadmin members were not collected; run the script from `espy sql-script` on the server (SSMS or sqlcmd elsewhere) and give its output to `espy analyze` with --sql-export";

const ALL_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

export const DEFAULT_TRIAGE_SCRIPTS: readonly TriageScript[] = [{ name: 'espy-sql', sql: TRIAGE_SQL }];

const INSTANCE_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL';

export async function createWindowsLiveHost(opts: WindowsLiveOptions = {}): Promise<LiveHost> {
  const run = opts.runner ?? execRunner;
  const temp = await mkdtemp(join(tmpdir(), 'espy-live-'));
  let exportN = 0;
  let dirs: Promise<SqlInstanceDirs[]> | undefined;
  const instanceDirs = (): Promise<SqlInstanceDirs[]> => (dirs ??= readInstanceDirs(run));
  return {
    hostname: opts.hostName ?? hostname(),
    async drives() {
      // Drives are found in-process (a root that opens is a drive); PowerShell, blocked or
      // absent on many servers, only adds to them, and so do the drives SQL Server's own
      // registry paths name (an ERRORLOG on D: is read even when nothing else lists D:).
      const letters = new Set<string>();
      const out: Record<string, FsView> = {};
      const tryDrive = async (l: string): Promise<void> => {
        if (out[l]) return;
        try {
          out[l] = await nodeFsView(opts.driveRoot ? opts.driveRoot(l) : `${l}:\\`);
        } catch {
          // No such drive, or it cannot be opened: nothing to read there.
        }
      };
      for (const l of opts.probeDrives ?? ALL_LETTERS) await tryDrive(l);
      const r = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', "(Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3').DeviceID"]).catch(() => undefined);
      if (r?.code === 0) for (const l of parseDriveList(decodeConsole(r.stdout))) letters.add(l);
      const named = await instanceDirs().catch(() => []);
      for (const d of named) for (const l of driveLetters([d.logDir ?? '', d.binnDir ?? '', ...(d.otherPaths ?? [])])) letters.add(l);
      for (const l of [...letters].sort()) await tryDrive(l);
      return out;
    },
    async exportEventLog(originalPath): Promise<LiveExport> {
      const channel = channelFromLogFile(baseName(originalPath));
      const file = join(temp, `export-${++exportN}.evtx`);
      const r = await run('wevtutil.exe', ['epl', channel, file, '/ow:true']);
      if (r.code !== 0) return { ok: false, message: `wevtutil epl ${channel} exited ${r.code}: ${r.stderr.trim() || decodeConsole(r.stdout).trim()}` };
      return { ok: true, file, message: `exported with wevtutil epl ${channel}` };
    },
    async sqlInstances() {
      const r = await run('reg.exe', ['query', INSTANCE_KEY]);
      if (r.failure) throw regUnavailable(r.failure, r.stderr);
      if (r.code !== 0) return [];
      return parseRegInstances(decodeConsole(r.stdout)).map((i) => i.name);
    },
    sqlInstanceDirs: instanceDirs,
    async runTriageSql(instance): Promise<SqlQueryOutput[]> {
      if (opts.noSql) return [];
      const scripts = opts.scripts ?? DEFAULT_TRIAGE_SCRIPTS;
      const out: SqlQueryOutput[] = [];
      const server = sqlServerName(instance);
      for (const s of scripts) {
        const file = join(temp, `${s.name}.sql`);
        await writeFile(file, s.sql, 'utf8');
        // The output contract of collector/sql/triage-sql.ts: `|` separator, trimmed cells, UTF-8.
        const args = ['-E', '-S', server, '-i', file, '-s', SQLCMD_SEPARATOR, '-W', '-f', 'o:65001'];
        const command = `sqlcmd -E -S ${server} -i ${s.name}.sql -s "${SQLCMD_SEPARATOR}" -W -f o:65001 (triage SQL v${TRIAGE_SQL_VERSION})`;
        const name = `${instance}/${s.name}.txt`;
        const r = await run('sqlcmd.exe', args);
        if (r.failure === 'ENOENT') {
          out.push({ instance, name, command, notCollected: SQLCMD_ABSENT });
          break;
        }
        if (r.failure) out.push({ instance, name, command, error: `sqlcmd did not run (${r.failure}): ${r.stderr.trim()}` });
        else if (r.code !== 0 && r.stdout.length === 0) out.push({ instance, name, command, error: `sqlcmd exited ${r.code}: ${r.stderr.trim()}` });
        else out.push({ instance, name, command, output: r.stdout, ...(r.code !== 0 ? { error: `sqlcmd exited ${r.code}` } : {}) });
      }
      return out;
    },
    async snapshot() {
      const raw = await (opts.sysinfo ?? systeminformationSource)();
      const env = opts.env ?? {};
      return buildSnapshot(raw, env['USERDOMAIN'] ? { userDomain: env['USERDOMAIN'] } : {});
    },
    cleanup: () => rm(temp, { recursive: true, force: true }),
  };
}

/**
 * reg.exe that never ran (blocked, missing, or a working folder Windows cannot use) is not
 * "no SQL Server": the caller must say that the instances and their folders were not read.
 * A key that does not exist is reg.exe's own exit code 1 and means no instance.
 */
function regUnavailable(failure: string, stderr: string): Error {
  return new Error(`reg.exe could not be run (${failure}${stderr.trim() ? `: ${stderr.trim()}` : ''}): SQL Server instances in the registry were not read`);
}

/** Each instance's folders from the registry: ERRORLOG (-e), SQLBinRoot, and every other path it names. */
async function readInstanceDirs(run: CommandRunner): Promise<SqlInstanceDirs[]> {
  const r = await run('reg.exe', ['query', INSTANCE_KEY]);
  if (r.failure) throw regUnavailable(r.failure, r.stderr);
  if (r.code !== 0) return [];
  const out: SqlInstanceDirs[] = [];
  for (const { name, id } of parseRegInstances(decodeConsole(r.stdout))) {
    const base = `HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\${id}`;
    const params = await run('reg.exe', ['query', `${base}\\MSSQLServer\\Parameters`]);
    const server = await run('reg.exe', ['query', `${base}\\MSSQLServer`]);
    const setup = await run('reg.exe', ['query', `${base}\\Setup`, '/v', 'SQLBinRoot']);
    const paramValues = params.code === 0 ? parseRegValues(decodeConsole(params.stdout)) : [];
    const serverValues = server.code === 0 ? parseRegValues(decodeConsole(server.stdout)) : [];
    const logDir = errorlogDirFromParams(paramValues);
    const binnDir = setup.code === 0 ? parseRegValues(decodeConsole(setup.stdout)).find(([k]) => k === 'SQLBinRoot')?.[1] : undefined;
    const otherPaths = sqlServerPaths([...paramValues, ...serverValues]);
    out.push({ instance: name, ...(logDir ? { logDir } : {}), ...(binnDir ? { binnDir } : {}), ...(otherPaths.length ? { otherPaths } : {}) });
  }
  return out;
}
