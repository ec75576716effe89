/**
 * What a live Windows collection needs from the host, as an interface so that tests drive
 * it with recorded outputs (CI has no Windows). `live/windows.ts` builds the real one.
 */
import type { FsView } from './fs-view.js';

export interface LiveExport {
  ok: boolean;
  /** Path of the exported copy (a temp file), when ok. */
  file?: string;
  message: string;
}

export interface SqlQueryOutput {
  instance: string;
  /** `sql/<instance>/<script>.txt` */
  name: string;
  /** What was run, for the manifest (never holds a secret: Windows authentication). */
  command: string;
  output?: Uint8Array;
  error?: string;
  /** Not collected for a reason that is no failure of the host (sqlcmd not installed): what to do instead. */
  notCollected?: string;
}

/** What the registry says about one instance's folders (full Windows paths). */
export interface SqlInstanceDirs {
  instance: string;
  logDir?: string;
  binnDir?: string;
  /** Every other path SQL Server is told about (-d, -l, DefaultData, DefaultLog, BackupDirectory): their drives are read too. */
  otherPaths?: string[];
}

export interface LiveHost {
  hostname: string;
  /** One view per fixed drive, keyed by upper-case letter. */
  drives(): Promise<Record<string, FsView>>;
  /** `wevtutil epl` of the channel behind a locked .evtx file into a temp file. */
  exportEventLog(originalPath: string): Promise<LiveExport>;
  /** Instance names from the registry (`reg.exe query`), e.g. `MSSQLSERVER`, `SQLEXPRESS`. */
  sqlInstances(): Promise<string[]>;
  /** Each instance's ERRORLOG and Binn folders from the registry (full Windows paths), when known. */
  sqlInstanceDirs?(): Promise<SqlInstanceDirs[]>;
  /** Runs espy's triage SQL against one instance (sqlcmd -E). */
  runTriageSql(instance: string): Promise<SqlQueryOutput[]>;
  /** The systeminformation snapshot with flags (sysinfo.json). */
  snapshot(): Promise<Record<string, unknown>>;
  /** Removes temp files made by exports. */
  cleanup(): Promise<void>;
}

/** `Microsoft-Windows-Sysmon%4Operational.evtx` → `Microsoft-Windows-Sysmon/Operational`. */
export function channelFromLogFile(fileName: string): string {
  return fileName.replace(/\.evtx$/i, '').replace(/%4/g, '/');
}

/** Routes `[letter, ...rest]` to the view of that drive (a KAPE-like layout of live drives). */
export function multiDriveView(drives: Record<string, FsView>): FsView {
  const pick = (p: readonly string[]): [FsView | undefined, string[]] => [drives[p[0] ?? ''], p.slice(1)];
  const missing = (p: readonly string[]) => ({ ok: false as const, code: 'ENOENT' as const, message: `no such drive: ${p[0] ?? ''}` });
  return {
    label: 'live host',
    readDir(p) {
      if (p.length === 0) return Promise.resolve({ ok: true, value: Object.keys(drives).map((name) => ({ name, type: 'dir' as const })) });
      const [v, rest] = pick(p);
      return v ? v.readDir(rest) : Promise.resolve(missing(p));
    },
    lstat(p) {
      const [v, rest] = pick(p);
      if (v && rest.length === 0) return Promise.resolve({ ok: true, value: { type: 'dir' as const, size: 0 } });
      return v ? v.lstat(rest) : Promise.resolve(missing(p));
    },
    open(p) {
      const [v, rest] = pick(p);
      return v ? v.open(rest) : Promise.resolve(missing(p));
    },
  };
}
