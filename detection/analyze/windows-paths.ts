import type { LocationClass } from '../analysis-result.js';
import { baseName, classifyLocation } from '../esp/location.js';

/** Windows path helpers for evidence paths (case-insensitive, `\` or `/`). */

export function normalizeWinPath(p: string): string {
  const t = p.trim().replace(/\//g, '\\');
  // Keep a UNC prefix (\\server\share); collapse doubled separators elsewhere.
  return t.startsWith('\\\\') ? `\\${t.slice(1).replace(/\\{2,}/g, '\\')}` : t.replace(/\\{2,}/g, '\\');
}

export function winBasename(p: string): string {
  return baseName(p.trim());
}

/** True when the string names a directory too (`C:\x\y.dll`), not just a file name. */
export function hasDirectory(p: string): boolean {
  return /[\\/]/.test(p);
}

/**
 * Where a DLL path lies (`binn`, `sql-server`, `outside`); a bare name (`xpstar.dll`) is
 * `unknown`: SQL Server resolves it through the DLL search path starting at Binn.
 */
export function locationOf(path: string): LocationClass {
  return classifyLocation(normalizeWinPath(path));
}
