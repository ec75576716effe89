/**
 * `timeline.csv` for Eric Zimmerman's Timeline Explorer: one row per event in time order, a
 * UTC timestamp column first in `yyyy-MM-dd HH:mm:ss.fffffff` (the form its date columns
 * parse and sort), then the local time, source, event id, severity, message and where.
 */
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { sortTimeline } from '../sections/timeline.js';
import { renderCsv, type CsvValue } from './csv.js';

export const TIMELINE_CSV_HEADER = [
  'Timestamp (UTC)',
  'Local Time',
  'Host',
  'Source',
  'Provider',
  'Event ID',
  'Severity',
  'Rules',
  'Message',
  'Artefact',
  'Stored Path',
  'Record ID',
  'Line',
  'Offset',
] as const;

/** `2026-03-14T10:17:43.1230000Z` → `2026-03-14 10:17:43.1230000`; anything else unchanged. */
export function timelineExplorerTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

export function renderTimelineCsv(r: AnalysisResult): string {
  const rows = sortTimeline(r.timeline).map((e): CsvValue[] => [
    timelineExplorerTime(e.timestamp),
    e.localTime,
    r.host.name,
    e.source,
    e.provider,
    e.eventId,
    e.severity,
    e.ruleIds.join(' '),
    e.message,
    e.ref.artefact,
    e.ref.storedPath,
    e.ref.recordId,
    e.ref.line,
    e.ref.offset,
  ]);
  return renderCsv(TIMELINE_CSV_HEADER, rows);
}
