import type { LocationClass } from '../analysis-result.js';

/** `...\MSSQL<nn>.<INSTANCE>\MSSQL\Binn\<file>` (any drive, any depth, case-insensitive). */
const INSTANCE_BINN = /\\MSSQL\d+\.[^\\]+\\MSSQL\\Binn\\/i;
/** Anything under a `Microsoft SQL Server` folder. */
const SQL_SERVER_TREE = /\\Microsoft SQL Server\\/i;

/**
 * Where a DLL lies, from its ORIGINAL Windows path on the suspect host:
 * 'binn' inside an instance's `MSSQL\Binn`, 'sql-server' elsewhere under the SQL Server
 * folders (shared Tools\Binn, another instance folder), 'outside' otherwise. Forward
 * slashes are accepted. An empty or relative path is 'unknown'.
 */
export function classifyLocation(windowsPath: string): LocationClass {
  const p = windowsPath.replace(/\//g, '\\');
  if (!/^([A-Za-z]:\\|\\\\)/.test(p)) return 'unknown';
  if (INSTANCE_BINN.test(p)) return 'binn';
  if (SQL_SERVER_TREE.test(p)) return 'sql-server';
  return 'outside';
}

/** The file-name part of a Windows or POSIX path. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return path.slice(i + 1);
}
