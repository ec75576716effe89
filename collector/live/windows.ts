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
import { channelFromLogFile, type LiveExport, type LiveHost, type SqlQueryOutput } from '../live-host.js';
import { baseName } from '../win-path.js';
import { decodeConsole, errorlogDirFromParams, parseDriveList, parseRegInstances, parseRegValues, sqlServerName } from './parse-output.js';
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
}

export const DEFAULT_TRIAGE_SCRIPTS: readonly TriageScript[] = [{ name: 'espy-sql', sql: TRIAGE_SQL }];

const INSTANCE_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL';

export async function createWindowsLiveHost(opts: WindowsLiveOptions = {}): Promise<LiveHost> {
  const run = opts.runner ?? execRunner;
  const temp = await mkdtemp(join(tmpdir(), 'espy-live-'));
  let exportN = 0;
  return {
    hostname: opts.hostName ?? hostname(),
    async drives() {
      const r = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', "(Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3').DeviceID"]);
      const letters = r.code === 0 ? parseDriveList(decodeConsole(r.stdout)) : [];
      if (letters.length === 0) letters.push('C');
      const out: Record<string, FsView> = {};
      for (const l of letters) {
        try {
          out[l] = await nodeFsView(opts.driveRoot ? opts.driveRoot(l) : `${l}:\\`);
        } catch {
          // A drive that vanished between listing and opening is skipped.
        }
      }
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
      if (r.code !== 0) return [];
      return parseRegInstances(decodeConsole(r.stdout)).map((i) => i.name);
    },
    async sqlInstanceDirs() {
      const r = await run('reg.exe', ['query', INSTANCE_KEY]);
      if (r.code !== 0) return [];
      const out: { instance: string; logDir?: string; binnDir?: string }[] = [];
      for (const { name, id } of parseRegInstances(decodeConsole(r.stdout))) {
        const base = `HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\${id}`;
        const params = await run('reg.exe', ['query', `${base}\\MSSQLServer\\Parameters`]);
        const setup = await run('reg.exe', ['query', `${base}\\Setup`, '/v', 'SQLBinRoot']);
        const logDir = params.code === 0 ? errorlogDirFromParams(parseRegValues(decodeConsole(params.stdout))) : undefined;
        const binnDir = setup.code === 0 ? parseRegValues(decodeConsole(setup.stdout)).find(([k]) => k === 'SQLBinRoot')?.[1] : undefined;
        out.push({ instance: name, ...(logDir ? { logDir } : {}), ...(binnDir ? { binnDir } : {}) });
      }
      return out;
    },
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
        if (r.code !== 0 && r.stdout.length === 0) out.push({ instance, name, command, error: `sqlcmd exited ${r.code}: ${r.stderr.trim()}` });
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
