/**
 * `timeline.jsonl` in Timesketch's JSONL import format: one JSON object per line with the
 * three required fields `message`, `datetime` (ISO 8601 with offset) and `timestamp_desc`,
 * plus `timestamp` (microseconds since the epoch) and espy's fields. A `hostname` field in
 * every line lets a team load many hosts into one sketch. Lines are in time order.
 */
import type { AnalysisResult, ArtefactKind, TimelineEntry } from '../../detection/analysis-result.js';
import { sortTimeline } from '../sections/timeline.js';

/** What the timestamp of each kind of artefact means (Timesketch `timestamp_desc`). */
export const TIMESTAMP_DESC: Record<ArtefactKind, string> = {
  evtx: 'Event Recorded',
  errorlog: 'Log Entry Written',
  'sql-export': 'SQL Server Record Time',
  pe: 'File Time',
  sysinfo: 'System Information Time',
  manifest: 'Collection Time',
  trace: 'Trace Event Time',
  other: 'Event Time',
};

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** ISO-8601 → `{ datetime: 'YYYY-MM-DDThh:mm:ss.ffffff+00:00', micros }` in UTC, or undefined. */
export function toTimesketchTime(iso: string): { datetime: string; micros: number } | undefined {
  const m = ISO.exec(iso);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(ms)) return undefined;
  const offsetMin = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const micros = (ms - offsetMin * 60_000) * 1000 + Number(frac.padEnd(6, '0').slice(0, 6));
  const date = new Date(Math.floor(micros / 1000));
  if (Number.isNaN(date.getTime())) return undefined;
  const us = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return { datetime: `${date.toISOString().slice(0, 19)}.${us}+00:00`, micros };
}

/** One Timesketch event (a plain object; `JSON.stringify` makes the line). */
export function timesketchEvent(host: string, e: TimelineEntry): Record<string, string | number> {
  const t = toTimesketchTime(e.timestamp);
  const out: Record<string, string | number> = {
    message: e.message,
    datetime: t?.datetime ?? '1970-01-01T00:00:00.000000+00:00',
    timestamp: t?.micros ?? 0,
    timestamp_desc: TIMESTAMP_DESC[e.ref.kind] ?? TIMESTAMP_DESC.other,
    data_type: 'espy:timeline',
    hostname: host,
    source: e.source,
    artefact: e.ref.artefact,
  };
  if (!t) out.timestamp_invalid = e.timestamp;
  if (e.localTime !== undefined) out.local_time = e.localTime;
  if (e.provider !== undefined) out.provider = e.provider;
  if (e.eventId !== undefined) out.event_identifier = e.eventId;
  if (e.severity !== undefined) out.severity = e.severity;
  if (e.ruleIds.length > 0) out.rule_ids = e.ruleIds.join(' ');
  if (e.ref.storedPath !== undefined) out.stored_path = e.ref.storedPath;
  if (e.ref.recordId !== undefined) out.record_number = e.ref.recordId;
  if (e.ref.line !== undefined) out.line = e.ref.line;
  if (e.ref.offset !== undefined) out.offset = e.ref.offset;
  return out;
}

/** The whole file: one line per event, `\n` line ends, a final newline (empty file for no events). */
export function renderTimelineJsonl(r: AnalysisResult): string {
  const lines = sortTimeline(r.timeline).map((e) => JSON.stringify(timesketchEvent(r.host.name, e)));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
