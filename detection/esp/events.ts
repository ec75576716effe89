import { summarizeEvent, type EventJson, type EventSummary } from '../../parsers/common/event.js';
import { insertionStrings, namedField } from '../../parsers/common/event-data.js';

/**
 * Which DLL an event speaks about: SQL Server's ESP messages (mssql-artifacts.md) and Sysmon
 * image loads into sqlservr.exe. Used by the collector (which DLLs to fetch) and the
 * analysis (the ESP inventory) alike.
 */

/** SQL Server event IDs that speak about ESP DLLs. */
export const ESP_EVENT_IDS = {
  /** `Using '%1' version '%2' to execute extended stored procedure '%3'.` */
  EXECUTE: 8128,
  /** `Extended stored procedure DLL '%1' does not export __GetXpVersion().` */
  NO_GETXPVERSION: 8131,
  /** `Attempting to load library '%1' into memory.` */
  LOAD_ATTEMPT: 33090,
  /** `Could not load the DLL %1, or one of the DLLs it references. Reason: %2.` */
  LOAD_FAILED: 17750,
  /** `Could not find the function %1 in the library %2. Reason: %3.` */
  FUNCTION_MISSING: 17751,
} as const;

const SQLSERVR = /\\sqlservr\.exe$/i;

/** `MSSQLSERVER` (default instance) or `MSSQL$<instance>`. */
export function isMssqlProvider(provider: string): boolean {
  return /^(MSSQLSERVER|MSSQL\$[^$]+)$/i.test(provider);
}

export interface EspEventDll {
  /** As written: a full path or a bare name (`xpstar.dll`). */
  dll: string;
  procedure?: string;
  version?: string;
}

/** `%1` of 17750 may run on past the DLL name in some renderings: keep the `*.dll` part. */
function dllPart(s: string | undefined): string | undefined {
  const t = s?.trim();
  if (!t) return undefined;
  return /^(.*?\.dll)\b/i.exec(t)?.[1] ?? t;
}

/** The DLL (and procedure, version) an event names, or undefined when it names none. */
export function espEventDll(event: EventJson, summary: EventSummary = summarizeEvent(event)): EspEventDll | undefined {
  const { eventId, provider } = summary;
  if (/sysmon/i.test(provider) || /sysmon/i.test(summary.channel)) {
    if (eventId !== 7) return undefined;
    const image = namedField(event, 'Image') ?? '';
    const loaded = namedField(event, 'ImageLoaded') ?? '';
    return SQLSERVR.test(image) && loaded ? { dll: loaded } : undefined;
  }
  if (!isMssqlProvider(provider)) return undefined;
  const s = insertionStrings(event);
  switch (eventId) {
    case ESP_EVENT_IDS.EXECUTE: {
      const dll = s[0]?.trim();
      if (!dll) return undefined;
      const out: EspEventDll = { dll };
      if (s[2]?.trim()) out.procedure = s[2].trim();
      if (s[1]?.trim()) out.version = s[1].trim();
      return out;
    }
    case ESP_EVENT_IDS.NO_GETXPVERSION:
    case ESP_EVENT_IDS.LOAD_ATTEMPT:
    case ESP_EVENT_IDS.LOAD_FAILED: {
      const dll = eventId === ESP_EVENT_IDS.LOAD_FAILED ? dllPart(s[0]) : s[0]?.trim();
      return dll ? { dll } : undefined;
    }
    case ESP_EVENT_IDS.FUNCTION_MISSING: {
      const dll = s[1]?.trim();
      if (!dll) return undefined;
      const out: EspEventDll = { dll };
      if (s[0]?.trim()) out.procedure = s[0].trim();
      return out;
    }
    default:
      return undefined;
  }
}
