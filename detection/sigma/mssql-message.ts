import { elementText, summarizeEvent, type EventJson, type JsonValue } from '../../parsers/common/event.js';
import { renderMssqlMessage } from '../../parsers/errorlog/index.js';
import type { MessageRenderer } from './event-view.js';

const MSSQL_PROVIDER = /^MSSQL(?:SERVER|\$)/i;

function dataStrings(ev: EventJson): string[] {
  const ed = ev.Event['EventData'];
  if (ed === null || typeof ed !== 'object' || Array.isArray(ed)) return [];
  const d = elementText((ed as { [k: string]: JsonValue })['Data']);
  if (typeof d === 'string') return [d];
  if (Array.isArray(d)) return d.map((x) => (x === null || typeof x === 'object' ? '' : String(x)));
  return [];
}

/**
 * `Message` for SQL Server events (provider MSSQLSERVER / MSSQL$<instance>): the message
 * template espy knows for the EventID (parsers/errorlog/messages.ts, from
 * ../shared/reference/mssql-artifacts.md) filled with the event's insertion strings.
 * Undefined for other providers and unknown IDs (the view then falls back to every
 * EventData value).
 */
export const mssqlMessageRenderer: MessageRenderer = (ev) => {
  const s = summarizeEvent(ev);
  if (!MSSQL_PROVIDER.test(s.provider)) return undefined;
  return renderMssqlMessage(s.eventId, dataStrings(ev));
};
