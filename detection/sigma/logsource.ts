import { WINDOWS_CATEGORIES, WINDOWS_SERVICE_CHANNELS } from './mappings/windows-logsources.js';
import { RuleCompileError } from './types.js';

/** One way an event can belong to a rule's logsource. */
export interface LogsourceAlternative {
  /** Lower-case channel names (any of); undefined = any channel. */
  channels?: readonly string[];
  /** Field → accepted values (case-insensitive, any of). */
  conditions: Readonly<Record<string, readonly (string | number)[]>>;
  /** Sigma field → this logsource's field. */
  fieldMap: Readonly<Record<string, string>>;
}

export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

/**
 * Resolves a rule's logsource to its alternatives from the mapping data
 * (mappings/windows-logsources.ts). An unknown product, category or service rejects the
 * rule: matching it against every event would be matching loosely.
 */
export function resolveLogsource(ls: Logsource): LogsourceAlternative[] {
  const product = ls.product?.toLowerCase();
  if (product !== undefined && product !== 'windows') {
    throw new RuleCompileError('unsupported-logsource', `logsource product '${ls.product}' (espy reads Windows event logs and SQL Server logs)`, ['logsource', 'product']);
  }
  const serviceChannels = (svc: string, at: string): string[] => {
    const ch = WINDOWS_SERVICE_CHANNELS[svc.toLowerCase()];
    if (!ch) throw new RuleCompileError('unsupported-logsource', `unknown logsource service '${svc}'`, ['logsource', at]);
    return ch.map((c) => c.toLowerCase());
  };
  if (ls.category !== undefined) {
    const cat = ls.category.toLowerCase();
    const maps = WINDOWS_CATEGORIES.filter((c) => c.category === cat);
    if (maps.length === 0) throw new RuleCompileError('unsupported-logsource', `unknown logsource category '${ls.category}'`, ['logsource', 'category']);
    return maps.map((m) => ({
      channels: serviceChannels(ls.service ?? m.service, ls.service ? 'service' : 'category'),
      conditions: m.conditions,
      fieldMap: m.fieldMap ?? {},
    }));
  }
  if (ls.service !== undefined) return [{ channels: serviceChannels(ls.service, 'service'), conditions: {}, fieldMap: {} }];
  return [{ conditions: {}, fieldMap: {} }];
}
