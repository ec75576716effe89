import type { EventJson } from '../../parsers/common/event.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import { readEvtxRecords, scanEvtxRecords, type EvtxScanRecord, type RecordOutcome, type ScanOutcome } from '../../parsers/evtx/index.js';
import { streamErrorlog, type ErrorlogEntry, type ErrorlogSummary } from '../../parsers/errorlog/index.js';
import { renderMssqlMessage } from '../../parsers/errorlog/messages.js';
import { DetectionDriver, type RuleSet, type SigmaMatch } from '../sigma/index.js';
import { artefactError, type EvidenceArtefact, type EvidenceSet } from '../evidence.js';
import type { ArtefactError, Severity } from '../analysis-result.js';
import { espEventDll } from '../esp/events.js';
import { isEngineProvider, providerFromPath } from '../mssql/index.js';
import { errorlogTwins } from './twins.js';
import type { ArtefactStats, RuleHit, SourcedEvent } from './inputs.js';
import { analysisWants } from './event-prefilter.js';
import { describeEvent } from './message.js';
import { winBasename } from './windows-paths.js';

/** Per-artefact parse errors kept verbatim; the rest are counted. */
export const MAX_ERRORS_PER_ARTEFACT = 20;

const mssqlMessage = (eventId: number, data: string[]): string | undefined => renderMssqlMessage(eventId, data);

export interface EventScanResult {
  events: SourcedEvent[];
  hits: RuleHit[];
  stats: ArtefactStats[];
  errors: ArtefactError[];
  /** Computer names seen, with counts (host name when nothing better is known). */
  computers: Map<string, number>;
  /** ERRORLOG banners: server name, UTC adjustment, product version per artefact. */
  banners: { artefact: string; serverName?: string; utcAdjustmentMinutes?: number; productVersion?: string; provider: string }[];
  /** MSSQL providers seen (`MSSQLSERVER`, `MSSQL$NAME`). */
  providers: Set<string>;
}

export interface EventScanOptions {
  rules: RuleSet;
  signal?: AbortSignal;
  onArtefact?: (artefact: EvidenceArtefact, index: number, total: number) => void;
  /**
   * Bytes of the event logs read so far, of all of them, and the records read: called every
   * few thousand records and after each artefact, so a 1 GiB Security.evtx shows progress.
   */
  onBytes?: (done: number, total: number, records: number) => void;
  /** SQL export's UTC offset, for ERRORLOGs without a banner line. */
  utcOffsetMinutes?: number;
  /**
   * Build the full event only for records some rule or the ESP inventory can use (decided
   * from `Event.System`; event-prefilter.ts). Default true; false renders every record (the
   * reference the prefilter is tested against).
   */
  prefilter?: boolean;
}

const LEVEL_TO_SEVERITY: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  informational: 'informational',
};

function hitOf(m: { rule: SigmaMatch['rule']; fields?: readonly string[] }, ev: SourcedEvent, related?: SourcedEvent[]): RuleHit {
  const h: RuleHit = {
    ruleId: m.rule.id,
    title: m.rule.title,
    level: LEVEL_TO_SEVERITY[m.rule.level] ?? 'medium',
    tags: m.rule.tags,
    description: m.rule.description ?? '',
    falsepositives: m.rule.falsepositives,
    event: ev,
  };
  if (related) h.related = related;
  if (m.fields && m.fields.length > 0) h.fields = m.fields;
  return h;
}

/** `Microsoft-Windows-Sysmon%4Operational.evtx` → `Microsoft-Windows-Sysmon/Operational` until the channel is read. */
function evtxLabel(a: EvidenceArtefact): string {
  return winBasename(a.originalPath)
    .replace(/\.evtx$/i, '')
    .replace(/%4/g, '/');
}

function newStats(a: EvidenceArtefact, label: string): ArtefactStats {
  return { artefact: a.originalPath, kind: a.kind === 'errorlog' ? 'errorlog' : 'evtx', label, records: 0, failed: 0, recovered: 0, notes: [], eventIds: new Set() };
}

function observe(st: ArtefactStats, ts: string, eventId: number): void {
  st.records++;
  st.eventIds.add(eventId);
  if (ts && (st.first === undefined || ts < st.first)) st.first = ts;
  if (ts && (st.last === undefined || ts > st.last)) st.last = ts;
}

/**
 * Streams every EVTX and ERRORLOG artefact once: each event is matched against the Sigma
 * rules; only events that matched or that speak about ESP DLLs are kept. Correlations run
 * afterwards over the kept hits in time order.
 */
export async function scanEvents(evidence: EvidenceSet, artefacts: readonly EvidenceArtefact[], opts: EventScanOptions): Promise<EventScanResult> {
  const out: EventScanResult = { events: [], hits: [], stats: [], errors: [], computers: new Map(), banners: [], providers: new Set() };
  const driver = new DetectionDriver<SourcedEvent>(opts.rules);
  const logs = artefacts.filter((a) => a.kind === 'evtx' || a.kind === 'errorlog');

  const count: Count = (summary, st) => {
    observe(st, summary.timestamp, summary.eventId);
    if (summary.computer) out.computers.set(summary.computer, (out.computers.get(summary.computer) ?? 0) + 1);
    if (isEngineProvider(summary.provider)) out.providers.add(summary.provider);
  };
  const consider = (ev: SourcedEvent, st: ArtefactStats): void => {
    count(ev.summary, st);
    const matches = driver.match(ev.event, ev.summary.timestamp, ev);
    const esp = espEventDll(ev.event, ev.summary) !== undefined;
    if (matches.length === 0 && !esp) return;
    ev.message = describeEvent(ev.event, ev.summary.provider, ev.summary.eventId, mssqlMessage);
    out.events.push(ev);
    for (const m of matches) if (m.reported) out.hits.push(hitOf(m, ev));
  };

  const totalBytes = logs.reduce((n, a) => n + a.size, 0);
  let doneBytes = 0;
  let records = 0;
  const tick = (offsetInArtefact: number, count: number): void => {
    records += count;
    opts.onBytes?.(doneBytes + offsetInArtefact, totalBytes, records);
  };
  for (const [i, a] of logs.entries()) {
    if (opts.signal?.aborted) break;
    opts.onArtefact?.(a, i, logs.length);
    opts.onBytes?.(doneBytes, totalBytes, records);
    let source: Awaited<ReturnType<EvidenceSet['open']>> | undefined;
    try {
      source = await evidence.open(a);
      if (a.kind === 'evtx') await scanEvtx(a, source, out, { consider, count, want: opts.prefilter === false ? undefined : analysisWants(opts.rules) }, opts.signal, tick);
      else await scanErrorlog(a, source, out, consider, { utcOffsetMinutes: opts.utcOffsetMinutes, signal: opts.signal, tick });
    } catch (e) {
      const error = artefactError(a.originalPath, 'could not read: ', e);
      const message = error.message;
      out.errors.push(error);
      // The source exists but was not read: coverage must say so, not "not found".
      if (!out.stats.some((st) => st.artefact === a.originalPath)) {
        const st = newStats(a, a.kind === 'evtx' ? evtxLabel(a) : 'ERRORLOG');
        st.failed = 1;
        st.notes.push(message);
        out.stats.push(st);
      }
    } finally {
      await source?.close?.();
    }
    doneBytes += a.size;
  }
  opts.onBytes?.(doneBytes, totalBytes, records);

  // Correlations: the held hits in time order, each real event once (see errorlogTwins).
  const twins = errorlogTwins(driver.heldTags());
  for (const c of driver.correlate((ev) => twins.has(ev))) {
    const related = c.tags.filter((e): e is SourcedEvent => e !== undefined);
    const last = related[related.length - 1];
    if (!last) continue;
    out.hits.push(hitOf(c.match, last, related));
  }
  return out;
}

type Consider = (ev: SourcedEvent, st: ArtefactStats) => void;
/** Counts a record that is not kept whole towards the statistics. */
type Count = (summary: SourcedEvent['summary'], st: ArtefactStats) => void;

interface EvtxSinks {
  consider: Consider;
  count: Count;
  /** The scan's prefilter; undefined renders every record. */
  want: ((head: EventJson) => boolean) | undefined;
}

/** Records between two progress ticks. */
const RECORDS_PER_TICK = 4096;

async function scanEvtx(
  a: EvidenceArtefact,
  source: Awaited<ReturnType<EvidenceSet['open']>>,
  out: EventScanResult,
  sinks: EvtxSinks,
  signal: AbortSignal | undefined,
  tick: (offsetInArtefact: number, records: number) => void,
): Promise<void> {
  let channel = '';
  const st = newStats(a, evtxLabel(a));
  let errors = 0;
  let sinceTick = 0;
  const readOpts = { includeRecovered: true, onDiagnostic: (d: { code: string; message: string }) => st.notes.length < 5 && st.notes.push(`${d.code}: ${d.message}`) };
  const outcomes: AsyncIterable<RecordOutcome | ScanOutcome> = sinks.want ? scanEvtxRecords(source, { ...readOpts, want: sinks.want }) : readEvtxRecords(source, readOpts);
  for await (const o of outcomes) {
    if (signal?.aborted) break;
    if (++sinceTick >= RECORDS_PER_TICK) {
      tick(Math.min(o.ok ? o.record.offset : o.offset, a.size), sinceTick);
      sinceTick = 0;
    }
    if (!o.ok) {
      st.failed++;
      if (errors++ < MAX_ERRORS_PER_ARTEFACT) out.errors.push({ artefact: a.originalPath, message: `chunk ${o.chunkIndex} offset ${o.offset}: ${o.error.message}` });
      continue;
    }
    const r = o.record;
    const summary = summarizeEvent(r.event ?? (r as EvtxScanRecord).head);
    if (!summary.timestamp) summary.timestamp = r.timestamp;
    if (!channel && summary.channel) channel = summary.channel;
    if (r.recovered) st.recovered++;
    if (r.event === undefined) {
      sinks.count(summary, st);
      continue;
    }
    const ev: SourcedEvent = {
      event: r.event,
      summary,
      origin: { kind: 'evtx', recordId: r.recordId, offset: r.offset, ...(r.recovered ? { recovered: true } : {}) },
      artefact: a.originalPath,
      kind: 'evtx',
      message: '',
    };
    if (a.storedPath) ev.storedPath = a.storedPath;
    sinks.consider(ev, st);
  }
  tick(a.size, sinceTick);
  if (errors > MAX_ERRORS_PER_ARTEFACT) out.errors.push({ artefact: a.originalPath, message: `${errors - MAX_ERRORS_PER_ARTEFACT} more unreadable records` });
  if (channel) st.label = channel;
  out.stats.push(st);
}

/**
 * An ERRORLOG of any size, streamed: memory is a window and one entry, never the file (a
 * tampered or never-rotated log can be hundreds of MB), and a Ctrl-C stops it between windows.
 */
async function scanErrorlog(
  a: EvidenceArtefact,
  source: Awaited<ReturnType<EvidenceSet['open']>>,
  out: EventScanResult,
  consider: Consider,
  opts: { utcOffsetMinutes: number | undefined; signal: AbortSignal | undefined; tick: (offsetInArtefact: number, records: number) => void },
): Promise<void> {
  const provider = providerFromPath(a.originalPath);
  const held: { st?: ArtefactStats } = {};
  const stream = streamErrorlog(source, {
    ...(provider ? { provider } : {}),
    ...(opts.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: opts.utcOffsetMinutes } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onHeader: (h) => {
      const st = newStats(a, `ERRORLOG (${h.provider})`);
      st.kind = 'errorlog';
      held.st = st;
      const banner: EventScanResult['banners'][number] = { artefact: a.originalPath, provider: h.provider };
      if (h.banner.serverName) banner.serverName = h.banner.serverName;
      if (h.banner.utcAdjustmentMinutes !== undefined) banner.utcAdjustmentMinutes = h.banner.utcAdjustmentMinutes;
      if (h.banner.productVersion) banner.productVersion = h.banner.productVersion;
      out.banners.push(banner);
      out.providers.add(h.provider);
    },
  });
  let sinceTick = 0;
  let step: IteratorResult<ErrorlogEntry, ErrorlogSummary>;
  try {
    for (step = await stream.next(); !step.done; step = await stream.next()) {
      const entry = step.value;
      const st = held.st as ArtefactStats;
      if (++sinceTick >= RECORDS_PER_TICK) {
        opts.tick(entry.offset, sinceTick);
        sinceTick = 0;
      }
      const summary = summarizeEvent(entry.event);
      const ev: SourcedEvent = { event: entry.event, summary, origin: entry.origin, artefact: a.originalPath, kind: 'errorlog', localTime: entry.localTime, message: entry.text };
      if (a.storedPath) ev.storedPath = a.storedPath;
      consider(ev, st);
      if (ev.message !== entry.text && out.events[out.events.length - 1] === ev) ev.message = entry.text.replace(/\s+/g, ' ');
    }
  } catch (e) {
    // Ctrl-C: stop here, as the EVTX scan does; the command reports the interruption.
    if (opts.signal?.aborted) return;
    throw e;
  }
  opts.tick(a.size, sinceTick);
  const parsed = step.value;
  const st = held.st as ArtefactStats;
  for (const d of parsed.diagnostics.slice(0, 5)) st.notes.push(`line ${d.line}: ${d.message}`);
  for (const e of parsed.errors.slice(0, MAX_ERRORS_PER_ARTEFACT)) out.errors.push({ artefact: a.originalPath, message: `line ${e.line}: ${e.message}` });
  st.failed = parsed.errors.length;
  out.stats.push(st);
}
