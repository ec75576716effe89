/**
 * Startup facts from the first entries of an ERRORLOG: product version, `UTC adjustment`,
 * server and instance name, log path, service account. They feed the event model
 * (provider `MSSQLSERVER` / `MSSQL$NAME`, `Computer`) and the UTC conversion.
 */
import type { ErrorlogBanner } from './types.js';
import { parseUtcAdjustment } from './entry-line.js';

/** The default instance's name, which is also its event-log provider. */
export const DEFAULT_INSTANCE = 'MSSQLSERVER';

export interface BannerFact {
  key: 'productVersion' | 'utcAdjustment' | 'serverName' | 'instanceFromParams' | 'errorlogPath' | 'serviceAccount' | 'authenticationMode';
  value: string;
}

/** Reads a banner fact from one entry's text (first line plus continuations), if any. */
export function readBannerFact(text: string): BannerFact | undefined {
  let m: RegExpExecArray | null;
  if (text.startsWith('Microsoft SQL Server ')) {
    return { key: 'productVersion', value: (text.split('\n')[0] ?? '').trim() };
  }
  if ((m = /^UTC adjustment: ?(\S+)$/.exec(text))) return { key: 'utcAdjustment', value: m[1] ?? '' };
  if ((m = /^Server name is '(.+)'\.(?: .*)?$/s.exec(text))) return { key: 'serverName', value: m[1] ?? '' };
  if ((m = /^Command Line Startup Parameters:.*?\s-s\s*"([^"]+)"/s.exec(text))) return { key: 'instanceFromParams', value: m[1] ?? '' };
  if ((m = /^Logging SQL Server messages in file '(.+)'\.$/s.exec(text))) return { key: 'errorlogPath', value: m[1] ?? '' };
  if ((m = /^The service account is '(.+?)'\.(?: .*)?$/s.exec(text))) return { key: 'serviceAccount', value: m[1] ?? '' };
  if ((m = /^Authentication mode is (\S+)\.$/.exec(text))) return { key: 'authenticationMode', value: m[1] ?? '' };
  return undefined;
}

/** Instance name from what the banner says, best source first. */
export function instanceOf(b: ErrorlogBanner, instanceFromParams: string | undefined): string | undefined {
  if (instanceFromParams) return instanceFromParams;
  const server = b.serverName;
  if (server) {
    const slash = server.indexOf('\\');
    return slash >= 0 ? server.slice(slash + 1) : DEFAULT_INSTANCE;
  }
  // Virtual service accounts are named after the service: NT Service\MSSQLSERVER or
  // NT Service\MSSQL$NAME. A domain or local account says nothing about the instance.
  const acct = /^NT Service\\(MSSQLSERVER|MSSQL\$(.+))$/i.exec(b.serviceAccount ?? '');
  if (acct) return acct[2] ?? DEFAULT_INSTANCE;
  return undefined;
}

/** Event-log provider of an instance: `MSSQLSERVER` for the default one, else `MSSQL$NAME`. */
export function providerOf(instance: string): string {
  return instance.toUpperCase() === DEFAULT_INSTANCE ? DEFAULT_INSTANCE : `MSSQL$${instance}`;
}

/** Host part of a server name (`HOST\INSTANCE` → `HOST`). */
export function hostOf(serverName: string | undefined): string | undefined {
  if (!serverName) return undefined;
  const slash = serverName.indexOf('\\');
  return slash >= 0 ? serverName.slice(0, slash) : serverName;
}

export { parseUtcAdjustment };
