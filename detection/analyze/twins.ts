import { insertionStrings } from '../../parsers/common/event-data.js';
import type { SourcedEvent } from './inputs.js';

/** How far apart (ms) the event-log copy and the ERRORLOG copy of one SQL Server event may be. */
export const CROSS_SOURCE_WINDOW_MS = 2_000;

function contentKey(ev: SourcedEvent): string {
  return `${ev.summary.provider.toLowerCase()}|${ev.summary.eventId}|${insertionStrings(ev.event)
    .map((x) => x.trim())
    .join('\u0000')}`;
}

/**
 * SQL Server writes most messages both to the Application log and to its ERRORLOG, so one
 * failed login or ESP execution is two events. Counting both would double every count (a
 * user's three typos would look like six). Returns the ERRORLOG entries that have an
 * event-log twin: same provider, EventID and insertion strings, within
 * CROSS_SOURCE_WINDOW_MS. Both stay evidence; only counts skip the twins.
 */
export function errorlogTwins(events: readonly SourcedEvent[]): Set<SourcedEvent> {
  const evtxTimes = new Map<string, number[]>();
  for (const ev of events) {
    if (ev.kind !== 'evtx') continue;
    const k = contentKey(ev);
    const t = Date.parse(ev.summary.timestamp);
    const list = evtxTimes.get(k);
    if (list) list.push(t);
    else evtxTimes.set(k, [t]);
  }
  const twins = new Set<SourcedEvent>();
  for (const ev of events) {
    if (ev.kind !== 'errorlog') continue;
    const t = Date.parse(ev.summary.timestamp);
    if (evtxTimes.get(contentKey(ev))?.some((x) => Math.abs(x - t) <= CROSS_SOURCE_WINDOW_MS)) twins.add(ev);
  }
  return twins;
}
