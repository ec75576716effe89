import type { LocationClass } from '../analysis-result.js';

/** Windows path helpers for evidence paths (case-insensitive, `\` or `/`). */

export function normalizeWinPath(p: string): string {
  return p.trim().replace(/\//g, '\\').replace(/\\{2,}/g, '\\');
}

export function winBasename(p: string): string {
  const n = normalizeWinPath(p);
  const i = n.lastIndexOf('\\');
  return i >= 0 ? n.slice(i + 1) : n;
}

/** True when the string names a directory too (`C:\x\y.dll`), not just a file name. */
export function hasDirectory(p: string): boolean {
  return /[\\/]/.test(p);
}

const BINN = /\\microsoft sql server\\[^\\]+\\mssql\\binn\\/i;
const BINN_ROOT = /\\microsoft sql server\\[^\\]+\\binn\\/i; // shared tools, e.g. 150\Binn? treated as sql-server
const SQL_SERVER = /\\microsoft sql server\\/i;

/**
 * Where a DLL path lies: inside an instance's `MSSQL\Binn` folder, elsewhere under the SQL
 * Server folders, or outside them. A bare name (`xpstar.dll`) is `unknown`: SQL Server
 * resolves it through the DLL search path starting at Binn.
 */
export function locationOf(path: string): LocationClass {
  if (!hasDirectory(path)) return 'unknown';
  const p = normalizeWinPath(path);
  if (BINN.test(p)) return 'binn';
  if (SQL_SERVER.test(p) || BINN_ROOT.test(p)) return 'sql-server';
  return 'outside';
}

/** The instance folder name of a path (`MSSQL14.MSSQLSERVER`), if it lies under one. */
export function instanceFolderOf(path: string): string | undefined {
  const m = /\\microsoft sql server\\(mssql\d+\.[^\\]+)\\/i.exec(normalizeWinPath(path));
  return m?.[1];
}
