/**
 * The attack timeline. The first `TIMELINE_HTML_ROWS` rows are server-rendered (readable with
 * JavaScript off and in print); every row also goes into one compact JSON data block that
 * `report.js` pages, filters and sorts, so 100,000 rows stay small and open fast.
 *
 * Data block (`<script type="application/json" id="timeline-data">`):
 *   { "v": 1, "total": N, "strings": [...], "rows": [[utc, local, source, provider, eventId,
 *     severity, message, rules, artefact, recordId, line, offset, ruleIds], ...] }
 * `rules` holds the rule titles, `ruleIds` their ids (shown on hover).
 * `source`, `provider`, `severity`, `message`, `rules`, `artefact` and `ruleIds` are indexes into
 * `strings` (logs repeat the same messages and sources a lot); `utc`/`local` are strings
 * (`local` is 0 for none); `eventId` a number or null; `recordId`, `line` and `offset` numbers,
 * 0 for none (record ids and lines start at 1; a zero offset is not worth a column).
 */
import type { AnalysisResult, TimelineEntry } from '../../detection/analysis-result.js';
import { breakablePath, html, jsonForScript, raw, type SafeHtml } from '../html.js';
import { compareStrings, displayTime, SEVERITY_ORDER, stableSort, whereText } from '../format.js';
import { cell } from '../table.js';
import { severityBadge } from './affected.js';

export const TIMELINE_HTML_ROWS = 500;
export const TIMELINE_DATA_VERSION = 1;

export interface TimelineData {
  v: number;
  total: number;
  strings: string[];
  rows: (string | number | null)[][];
}

/** Timeline rows in time order (stable: equal times keep the analysis's order). */
export function sortTimeline(entries: readonly TimelineEntry[]): TimelineEntry[] {
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = compareStrings(entries[i - 1]?.timestamp, entries[i]?.timestamp) <= 0;
  if (sorted) return [...entries]; // the analysis usually emits time order already
  return stableSort(entries, (a, b) => compareStrings(a.timestamp, b.timestamp));
}

function num(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

/** Rule id → title, from the findings (a timeline row names the rules by id). */
export function ruleTitles(r: AnalysisResult): Map<string, string> {
  return new Map(r.findings.map((f) => [f.ruleId, f.title]));
}

function titlesOf(ids: readonly string[], titles: ReadonlyMap<string, string>): string {
  return ids.map((id) => titles.get(id) ?? id).join(', ');
}

/** The compact data block for every row. */
export function buildTimelineData(sorted: readonly TimelineEntry[], titles: ReadonlyMap<string, string> = new Map()): TimelineData {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const rows = sorted.map((e) => [
    e.timestamp,
    e.localTime ?? 0,
    intern(e.source),
    intern(e.provider ?? ''),
    typeof e.eventId === 'number' && Number.isFinite(e.eventId) ? e.eventId : null,
    intern(e.severity ?? ''),
    intern(e.message),
    intern(titlesOf(e.ruleIds, titles)),
    intern(e.ref.artefact),
    num(e.ref.recordId),
    num(e.ref.line),
    num(e.ref.offset),
    intern(e.ruleIds.join(', ')),
  ]);
  return { v: TIMELINE_DATA_VERSION, total: rows.length, strings, rows };
}

function row(e: TimelineEntry, titles: ReadonlyMap<string, string>): SafeHtml {
  return html`<tr>${cell(displayTime(e.timestamp), e.timestamp, 'c-time')}${cell(e.localTime ?? '', e.localTime ?? '', 'c-time')}${cell(
    e.source,
  )}${cell(e.eventId ?? '', e.eventId ?? -1)}${cell(e.severity ? severityBadge(e.severity) : '', e.severity ? SEVERITY_ORDER.indexOf(e.severity) : 9)}${cell(
    e.message,
    undefined,
    'msg',
  )}${cell(e.ruleIds.length > 0 ? html`<span title="${e.ruleIds.join(', ')}">${titlesOf(e.ruleIds, titles)}</span>` : '')}${cell(breakablePath(whereText(e.ref)), undefined, 'small')}</tr>`;
}

export function renderTimeline(r: AnalysisResult): { section: SafeHtml; data: SafeHtml } {
  const sorted = sortTimeline(r.timeline);
  const titles = ruleTitles(r);
  const shown = sorted.slice(0, TIMELINE_HTML_ROWS);
  const sources = [...new Set(sorted.map((e) => e.source))].sort(compareStrings);
  const flagged = sorted.filter((e) => e.severity !== undefined).length;
  const section = html`<section id="timeline">
<h2>Attack timeline (${sorted.length} event${sorted.length === 1 ? '' : 's'})</h2>
<p class="hint">Times in UTC; "Local time" is the artefact's own clock where espy converted it (ERRORLOG). ${flagged} event${flagged === 1 ? '' : 's'} matched a rule.${
    r.incidentWindow ? html` Incident window: ${displayTime(r.incidentWindow.start)} to ${displayTime(r.incidentWindow.end)} (the activity around the ESP evidence).` : ''
  }${(r.incidentWindow?.outside ?? []).map(
    (c) => html` Left out of the window, separated from it by quiet weeks: ${c.count} high or critical item${c.count === 1 ? '' : 's'} from ${displayTime(c.start)} to ${displayTime(c.end)}.`,
  )}</p>
<div class="tl-controls" id="tl-controls" hidden>
<label>Source <select id="tl-source"><option value="">all sources</option>${sources.map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
<label>Severity <select id="tl-severity"><option value="">all events</option><option value="flagged">matched a rule</option>${SEVERITY_ORDER.slice(0, 4).map(
    (s) => html`<option value="${s}">${s} or worse</option>`,
  )}</select></label>
<label>Search <input type="search" id="tl-search" placeholder="text in any column" autocomplete="off"></label>
<span class="tl-status" id="tl-status" aria-live="polite"></span>
<span class="tl-pager"><button type="button" id="tl-prev">Previous</button> <button type="button" id="tl-next">Next</button></span>
</div>
${
  sorted.length === 0
    ? html`<p class="empty">No timeline events.</p>`
    : html`<div class="table-wrap tl-wrap"><table id="timeline-table" class="data timeline"><thead><tr><th scope="col" data-key="0" class="c-time">Time (UTC)</th><th scope="col" data-key="1" class="c-time">Local time</th><th scope="col" data-key="2">Source</th><th scope="col" data-key="4">Event ID</th><th scope="col" data-key="5">Severity</th><th scope="col" data-key="6">Message</th><th scope="col" data-key="7">Rules</th><th scope="col" data-key="8">Where</th></tr></thead><tbody id="timeline-body">${shown.map(
        (e) => row(e, titles),
      )}</tbody></table></div>`
}
${sorted.length > 0 ? html`<p class="print-only">Printed: the timeline rows shown on screen. All ${sorted.length} events are in <code>timeline.csv</code> and <code>timeline.jsonl</code>.</p>` : ''}
${
  sorted.length > shown.length
    ? html`<p class="nojs-note" id="tl-truncated">Showing the first ${shown.length} of ${sorted.length} events. With JavaScript on, this table pages through all of them; every event is also in <code>timeline.csv</code> and <code>timeline.jsonl</code>.</p>`
    : ''
}
</section>`;
  const data = sorted.length === 0 ? raw('') : raw(`<script type="application/json" id="timeline-data">${jsonForScript(buildTimelineData(sorted, titles))}</script>`);
  return { section, data };
}
