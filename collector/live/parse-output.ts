/** Pure parsers of Windows command output (tested with recorded outputs). */
import { isDefaultInstance } from '../../detection/mssql/index.js';
import { decodeText } from '../../parsers/common/text.js';

/**
 * `reg.exe query "HKLM\SOFTWARE\Microsoft\Microsoft SQL Server\Instance Names\SQL"`:
 * `    MSSQLSERVER    REG_SZ    MSSQL15.MSSQLSERVER` → `{ name: 'MSSQLSERVER', id: 'MSSQL15.MSSQLSERVER' }`.
 */
export function parseRegInstances(text: string): { name: string; id: string }[] {
  const out: { name: string; id: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s+(\S.*?)\s+REG_SZ\s+(\S.*?)\s*$/.exec(line);
    if (m?.[1] && m[2]) out.push({ name: m[1], id: m[2] });
  }
  return out;
}

/** One drive letter per line (`C:`), as printed by `(Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3').DeviceID`. */
export function parseDriveList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]):\\?\s*$/.exec(line);
    if (m?.[1] && !out.includes(m[1].toUpperCase())) out.push(m[1].toUpperCase());
  }
  return out;
}

/** sqlcmd server name for an instance on this host. */
export function sqlServerName(instance: string): string {
  return isDefaultInstance(instance) ? '.' : `.\\${instance}`;
}

/** Console output of Windows tools is often UTF-16LE (reg.exe with /reg:), else the OEM codepage; ASCII paths survive both. */
export function decodeConsole(b: Uint8Array): string {
  return decodeText(b).text;
}

/** A `reg.exe query` value line: `    NAME    REG_SZ    DATA` → [NAME, DATA]. */
export function parseRegValues(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s+(\S.*?)\s+REG_(?:SZ|EXPAND_SZ)\s+(.*?)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.push([m[1], m[2]]);
  }
  return out;
}

/** Folders SQL Server is told about: `-d`/`-e`/`-l` startup parameters (files: their folder), and folder values (`DefaultData`, `DefaultLog`, `BackupDirectory`). */
export function sqlServerPaths(values: readonly [string, string][]): string[] {
  const out: string[] = [];
  for (const [name, data] of values) {
    if (/^SQLArg\d+$/i.test(name) && /^-[del]/i.test(data)) out.push(data.slice(2));
    else if (/^(DefaultData|DefaultLog|BackupDirectory)$/i.test(name)) out.push(data);
  }
  return out;
}

/** Drive letters of Windows paths (`D:\x` → `D`), upper case, each once. */
export function driveLetters(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const m = /^([A-Za-z]):[\\/]/.exec(p);
    const d = m?.[1]?.toUpperCase();
    if (d && !out.includes(d)) out.push(d);
  }
  return out;
}

/** The ERRORLOG folder from the startup parameters (`SQLArgN` = `-eD:\SQL\Log\ERRORLOG`). */
export function errorlogDirFromParams(values: readonly [string, string][]): string | undefined {
  for (const [name, data] of values) {
    if (/^SQLArg\d+$/i.test(name) && /^-e/i.test(data)) {
      const p = data.slice(2);
      const i = p.lastIndexOf('\\');
      return i > 0 ? p.slice(0, i) : undefined;
    }
  }
  return undefined;
}
