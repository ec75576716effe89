import { elementText, type EventJson, type JsonValue } from '../../parsers/common/event.js';
import { eventData, insertionStrings } from '../../parsers/common/event-data.js';

/** Renders SQL Server messages from insertion strings (the ERRORLOG parser's table). */
export type MssqlMessageRenderer = (eventId: number, data: string[]) => string | undefined;

const MAX_MESSAGE_CHARS = 2_000;

function scalar(v: JsonValue | undefined): string | undefined {
  const t = elementText(v);
  if (t === undefined || t === null || typeof t === 'object') return undefined;
  return String(t);
}

/**
 * The fields of a UserData event: its one child element (`LogFileCleared` of Eventlog
 * 1102/104 holds who cleared which log there, not in EventData).
 */
function userDataFields(ev: EventJson): Record<string, JsonValue> | undefined {
  const ud = ev.Event['UserData'];
  if (ud === null || typeof ud !== 'object' || Array.isArray(ud)) return undefined;
  const child = Object.entries(ud).find(([k]) => k !== '#attributes')?.[1];
  return child !== null && typeof child === 'object' && !Array.isArray(child) ? child : undefined;
}

/**
 * One line describing an event for the timeline and evidence excerpts: the SQL Server
 * message where espy knows its template, else `Name=value` pairs of EventData.
 */
export function describeEvent(ev: EventJson, provider: string, eventId: number, mssql: MssqlMessageRenderer | undefined): string {
  const isMssql = /^(MSSQLSERVER|MSSQL\$)/i.test(provider);
  if (isMssql) {
    const strings = insertionStrings(ev);
    const text =
      mssql?.(eventId, strings) ??
      strings
        .map((s) => s.trim())
        .filter(Boolean)
        .join(' | ');
    return text.slice(0, MAX_MESSAGE_CHARS);
  }
  const data = eventData(ev) ?? userDataFields(ev);
  if (!data) return `${provider} ${eventId}`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    if (k === '#attributes' || k === 'Binary') continue;
    const s = scalar(v);
    if (s === undefined || s === '') continue;
    parts.push(`${k}=${s}`);
    if (parts.join('; ').length > MAX_MESSAGE_CHARS) break;
  }
  return (parts.length > 0 ? parts.join('; ') : `${provider} ${eventId}`).slice(0, MAX_MESSAGE_CHARS);
}
