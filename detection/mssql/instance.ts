/**
 * SQL Server instance naming, the one place that knows it. Setup installs an instance in a
 * folder `MSSQL<major>.<INSTANCE>` (`MSSQL14.MSSQLSERVER`, `MSSQL13.REPORTING`), below
 * `Program Files\Microsoft SQL Server` unless the installer chose another root. Its event-log
 * provider is `MSSQLSERVER` for the default instance and `MSSQL$<INSTANCE>` for a named one
 * (the ERRORLOG parser, which may not import detection, holds that rule for the events it builds).
 */
import { DEFAULT_INSTANCE, providerOf } from '../../parsers/errorlog/index.js';

export { DEFAULT_INSTANCE };

/** The folder of an instance (`MSSQL15.MSSQLSERVER`), as a glob for target matching. */
export const INSTANCE_FOLDER_GLOB = 'MSSQL*.*';

/** `MSSQL15.MSSQLSERVER` → `MSSQLSERVER`, `MSSQL13.Reporting` → `Reporting`; undefined for other names. */
export function instanceFromFolder(folder: string): string | undefined {
  const m = /^MSSQL\d+\.(.+)$/i.exec(folder);
  return m?.[1] || undefined;
}

/** True for the default instance's name, whatever its case. */
export function isDefaultInstance(name: string): boolean {
  return name.toUpperCase() === DEFAULT_INSTANCE;
}

/** Instance name → event provider: `MSSQLSERVER` → `MSSQLSERVER`, `X` → `MSSQL$X`. */
export function providerOfInstance(name: string): string {
  return providerOf(name);
}

/** Event provider → instance name: `MSSQLSERVER` → `MSSQLSERVER`, `MSSQL$X` → `X`. */
export function instanceOfProvider(provider: string): string {
  return isDefaultInstance(provider) ? DEFAULT_INSTANCE : provider.replace(/^MSSQL\$/i, '');
}

/** True for a database engine's provider name (`MSSQLSERVER`, `MSSQL$NAME`), not its Agent's or other services'. */
export function isEngineProvider(provider: string): boolean {
  return /^(MSSQLSERVER|MSSQL\$[^$]+)$/i.test(provider);
}

export interface InstanceFolder {
  /** Instance name (`MSSQLSERVER`, `REPORTING`). */
  name: string;
  /** Event provider (`MSSQLSERVER`, `MSSQL$REPORTING`). */
  provider: string;
  /** The path up to and including the instance folder, as written in the input. */
  root: string;
}

/**
 * The instance folder a Windows path lies in (`…\MSSQL14.MSSQLSERVER\MSSQL\Log\ERRORLOG`);
 * undefined when no folder of the path is an instance folder. `standardRootOnly` accepts only
 * the layout setup uses by default, `…\Microsoft SQL Server\MSSQL<n>.<NAME>\`: for paths from
 * anywhere on the host (swept DLLs), where a folder of that name alone proves no instance.
 * Separators may be `\` or `/`.
 */
export function instanceFolderOf(path: string, opts: { standardRootOnly?: boolean } = {}): InstanceFolder | undefined {
  const re = opts.standardRootOnly ? /^(.*[\\/]Microsoft SQL Server[\\/]MSSQL\d+\.([^\\/]+))[\\/]/i : /^(.*?[\\/]MSSQL\d+\.([^\\/]+))[\\/]/i;
  const m = re.exec(path);
  if (!m?.[1] || !m[2]) return undefined;
  return { name: isDefaultInstance(m[2]) ? DEFAULT_INSTANCE : m[2], provider: providerOfInstance(m[2]), root: m[1] };
}

/** The event provider of the instance a log belongs to, from its path; undefined outside an instance folder. */
export function providerFromPath(path: string): string | undefined {
  return instanceFolderOf(path)?.provider;
}

/** An instance's Binn folder (its own DLLs, Microsoft's ESPs), below its root folder. */
export function binnDirOf(root: string): string {
  return `${root}\\MSSQL\\Binn`;
}

/** An instance's Log folder (ERRORLOG, SQLAGENT.OUT, default traces), below its root folder. */
export function logDirOf(root: string): string {
  return `${root}\\MSSQL\\Log`;
}
