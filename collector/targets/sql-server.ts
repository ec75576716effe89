import { binnDirOf, INSTANCE_FOLDER_GLOB, logDirOf } from '../../detection/mssql/index.js';
import type { Target } from './types.js';

/** Instance root: `Program Files[ (x86)]\Microsoft SQL Server\MSSQL<ver>.<INSTANCE>`. */
export const SQL_INSTANCE_ROOT = `Program Files*\\Microsoft SQL Server\\${INSTANCE_FOLDER_GLOB}`;
const LOG = logDirOf(SQL_INSTANCE_ROOT);
export const SQL_BINN = binnDirOf(SQL_INSTANCE_ROOT);

/** Per-instance text logs and the default trace. */
export const SQL_SERVER_TARGETS: readonly Target[] = [
  { name: 'SQL Server ERRORLOG', category: 'sqlserver', path: LOG, fileMask: 'ERRORLOG*', recursive: false, kind: 'errorlog', action: 'copy' },
  { name: 'SQL Agent log', category: 'sqlserver', path: LOG, fileMask: 'SQLAGENT.*', recursive: false, kind: 'other', action: 'copy' },
  { name: 'SQL Server default trace', category: 'sqlserver', path: LOG, fileMask: 'log_*.trc', recursive: false, kind: 'trace', action: 'copy' },
];

/** Microsoft's own ESPs live in Binn: hashed and classified, copied with --copy-binn. */
export const BINN_TARGETS: readonly Target[] = [{ name: 'SQL Server Binn DLL', category: 'binn', path: SQL_BINN, fileMask: '*.dll', recursive: false, kind: 'dll', action: 'hash' }];

/**
 * Targets for one instance whose folders are known exactly (live host: the registry's
 * `-e<ERRORLOG path>` startup parameter and `SQLBinRoot`), e.g. an instance installed outside
 * Program Files. `logDir`/`binnDir` are folders below the root of drive `logDrive`/`binnDrive` (any drive when absent), backslash-separated.
 */
export function instanceTargets(instance: string, dirs: { logDir?: string; binnDir?: string; logDrive?: string; binnDrive?: string }): Target[] {
  const out: Target[] = [];
  // Folder names are matched as globs: neutralise `*`/`?` (not valid in Windows names anyway).
  const lit = (p: string): string => p.replace(/[*?]/g, '_');
  if (dirs.logDir) {
    const drive = dirs.logDrive ? { drive: dirs.logDrive } : {};
    for (const t of SQL_SERVER_TARGETS) out.push({ ...t, name: `${t.name} (${instance}, registry)`, path: lit(dirs.logDir), ...drive });
  }
  if (dirs.binnDir) {
    const drive = dirs.binnDrive ? { drive: dirs.binnDrive } : {};
    out.push({ ...(BINN_TARGETS[0] as Target), name: `SQL Server Binn DLL (${instance}, registry)`, path: lit(dirs.binnDir), ...drive });
  }
  return out;
}
