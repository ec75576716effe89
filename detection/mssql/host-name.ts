/**
 * Which host the evidence describes, the one rule for `collect` (the bundle's name and
 * manifest) and `analyze` (the report's title). The order is by trust: what the operator or
 * the bundle declares, then what the host wrote about itself most often (event `Computer`),
 * then the SQL Server name an ERRORLOG gives, and last the name of the evidence folder.
 */
import { hostOf } from '../../parsers/errorlog/index.js';

export type HostNameSource = 'declared' | 'event-computer' | 'errorlog-server' | 'location';

export interface HostNameClues {
  /** A name given by the operator, the live host or a bundle's manifest. */
  declared?: string | undefined;
  /** Event `Computer` values with how many events carry each (`MAGGIE.corp.local` → 1200). */
  computers?: ReadonlyMap<string, number> | undefined;
  /** ERRORLOG "Server name is" values, first seen first (`MAGGIE\REPORTING`). */
  serverNames?: readonly string[] | undefined;
  /** The evidence's path (folder or bundle), the last resort. */
  location: string;
}

export interface HostNameChoice {
  name: string;
  source: HostNameSource;
}

/** `MAGGIE.corp.local` → `MAGGIE` (a Computer value is a fully qualified name). */
export function shortComputerName(computer: string): string {
  return computer.split('.')[0] || computer;
}

/** `MAGGIE\REPORTING` → `MAGGIE` (a named instance's server name carries the instance); empty when no host is given. */
export function hostOfServerName(serverName: string): string {
  return hostOf(serverName) ?? '';
}

/** The most frequent Computer value; a tie goes to the value seen first. */
function mostFrequent(counts: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [name, n] of counts) {
    if (name && n > bestCount) {
      best = name;
      bestCount = n;
    }
  }
  return best;
}

export function chooseHostName(clues: HostNameClues): HostNameChoice {
  if (clues.declared) return { name: clues.declared, source: 'declared' };
  const computer = clues.computers ? mostFrequent(clues.computers) : undefined;
  if (computer) return { name: shortComputerName(computer), source: 'event-computer' };
  const server = clues.serverNames?.map(hostOfServerName).find((h) => h !== '');
  if (server) return { name: server, source: 'errorlog-server' };
  return { name: clues.location.split(/[\\/]/).filter(Boolean).pop() ?? 'unknown', source: 'location' };
}
