import { summarizeEvent } from '../../parsers/common/event.js';
import { insertionStrings } from '../../parsers/common/event-data.js';
import { renderMssqlMessage } from '../../parsers/errorlog/index.js';
import type { MessageRenderer } from './event-view.js';

const MSSQL_PROVIDER = /^MSSQL(?:SERVER|\$)/i;

/**
 * `Message` for SQL Server events (provider MSSQLSERVER / MSSQL$<instance>): the message
 * template espy knows for the EventID (parsers/errorlog/messages.ts: SQL Server's
 * own message texts) filled with the event's insertion strings.
 * Undefined for other providers and unknown IDs (the view then falls back to every
 * EventData value).
 */
export const mssqlMessageRenderer: MessageRenderer = (ev) => {
  const s = summarizeEvent(ev);
  if (!MSSQL_PROVIDER.test(s.provider)) return undefined;
  return renderMssqlMessage(s.eventId, insertionStrings(ev));
};
