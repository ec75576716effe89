import { summarizeEvent } from '../../parsers/common/event.js';
import { streamErrorlog, type ErrorlogEntry, type ErrorlogSummary } from '../../parsers/errorlog/index.js';
import { renderMssqlMessage } from '../../parsers/errorlog/messages.js';
import { DetectionDriver, type RuleFile, type RuleSet, type SigmaMatch } from '../sigma/index.js';
import { artefactError, type EvidenceArtefact, type EvidenceSet } from '../evidence.js';
import type { ArtefactError, Severity } from '../analysis-result.js';
import { espEventDll } from '../esp/events.js';
import { providerFromPath } from '../mssql/index.js';
import { errorlogTwins } from './twins.js';
import { HitBudget, NamedDllIntake } from './flood.js';
import type { ArtefactStats, HitOverflow, EvidenceFlood, RuleHit, SourcedEvent } from './inputs.js';
import { analysisWants } from './event-prefilter.js';
import { describeEvent } from './message.js';
import { countRecord, evtxLabel, MAX_ERRORS_PER_ARTEFACT, newStats, RECORDS_PER_TICK, scanEvtx, type BatchParser, type ScanTotals } from './scan-evtx.js';
import { ScanWorkers } from './scan-worker.js';

/** Event logs from this size on are parsed on a worker thread (below it, starting one costs more than it saves). */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

const mssqlMessage = (eventId: number, data: string[]): string | undefined => renderMssqlMessage(eventId, data);

export interface EventScanResult extends ScanTotals {
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
  /** Matches counted, not kept, per rule (flood.ts). */
  hitOverflow: Map<string, HitOverflow>;
  /** What the analysis did not follow of a flood, when the evidence held one. */
  flood?: EvidenceFlood;
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
  /** The budget of DLL names, already offered the registered-ESP export (a fresh one when absent). */
  namedDlls?: NamedDllIntake;
  /** SQL export's UTC offset, for ERRORLOGs without a banner line. */
  utcOffsetMinutes?: number;
  /** The files `rules` were loaded from: with them, large event logs are parsed on worker threads. */
  ruleFiles?: readonly RuleFile[];
  /** Event logs from this size on go to the workers (default WORKER_MIN_BYTES). */
  workerMinBytes?: number;
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

/**
 * Streams every EVTX and ERRORLOG artefact once: each event is matched against the Sigma
 * rules; only events that matched or that speak about ESP DLLs are kept, within the budgets of
 * flood.ts. Correlations run afterwards over the held hits in time order.
 */
export async function scanEvents(evidence: EvidenceSet, artefacts: readonly EvidenceArtefact[], opts: EventScanOptions): Promise<EventScanResult> {
  const out: EventScanResult = { events: [], hits: [], stats: [], errors: [], computers: new Map(), banners: [], providers: new Set(), hitOverflow: new Map() };
  const driver = new DetectionDriver<SourcedEvent>(opts.rules);
  const logs = artefacts.filter((a) => a.kind === 'evtx' || a.kind === 'errorlog');

  const hitBudget = new HitBudget();
  const named = opts.namedDlls ?? new NamedDllIntake();
  // Kept: the matches of each rule up to its budget, and the events naming DLLs the analysis follows.
  const keep = (ev: SourcedEvent): void => {
    const matches = driver.match(ev.event, ev.summary.timestamp, ev);
    const message = (): string => describeEvent(ev.event, ev.summary.provider, ev.summary.eventId, mssqlMessage);
    const dll = espEventDll(ev.event, ev.summary)?.dll;
    const esp = dll !== undefined && named.event(dll, ev, message);
    const kept = matches.length === 0 ? matches : matches.filter((m) => hitBudget.admit(m.rule.id, ev.summary.timestamp));
    if (kept.length === 0 && !esp) return;
    ev.message = message();
    out.events.push(ev);
    for (const m of kept) if (m.reported) out.hits.push(hitOf(m, ev));
  };
  const consider = (ev: SourcedEvent, st: ArtefactStats): void => {
    countRecord(out, st, ev.summary);
    keep(ev);
  };
  const want = opts.prefilter === false ? undefined : analysisWants(opts.rules);
  // Large event logs are parsed by worker threads, on every core, while this thread matches
  // their records. Set up at the first such log (a collection knows a log's size only once its
  // copy starts); the threads start with its first batch.
  const pool: { workers?: ScanWorkers | undefined; tried?: boolean } = {};
  const parserFor = (size: number): { batch: BatchParser; ahead: number } | undefined => {
    if (!want || !opts.ruleFiles || size < (opts.workerMinBytes ?? WORKER_MIN_BYTES)) return undefined;
    if (!pool.tried) {
      pool.tried = true;
      pool.workers = ScanWorkers.start(opts.ruleFiles);
    }
    const w = pool.workers;
    // A log that killed a worker fails alone: the next ones are read on this thread.
    return w && !w.broken ? { batch: (bytes, start) => w.parse(bytes, start), ahead: w.ahead } : undefined;
  };

  const totalBytes = logs.reduce((n, a) => n + a.size, 0);
  let doneBytes = 0;
  let records = 0;
  const tick = (offsetInArtefact: number, count: number): void => {
    records += count;
    opts.onBytes?.(doneBytes + offsetInArtefact, totalBytes, records);
  };
  try {
    for (const [i, a] of logs.entries()) {
      if (opts.signal?.aborted) break;
      opts.onArtefact?.(a, i, logs.length);
      opts.onBytes?.(doneBytes, totalBytes, records);
      let source: Awaited<ReturnType<EvidenceSet['open']>> | undefined;
      try {
        source = await evidence.open(a);
        if (a.kind === 'evtx') {
          const parse = parserFor(source.size);
          await scanEvtx(a, source, out, { keep, want, signal: opts.signal, tick, ...(parse ? { parse } : {}) });
        } else await scanErrorlog(a, source, out, consider, { utcOffsetMinutes: opts.utcOffsetMinutes, signal: opts.signal, tick });
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
  } finally {
    await pool.workers?.close();
  }
  opts.onBytes?.(doneBytes, totalBytes, records);

  // Correlations: the held hits in time order, each real event once (see errorlogTwins).
  const twins = errorlogTwins(driver.heldTags());
  for (const c of driver.correlate((ev) => twins.has(ev))) {
    const related = c.tags.filter((e): e is SourcedEvent => e !== undefined);
    const last = related[related.length - 1];
    if (!last) continue;
    if (hitBudget.admit(c.match.rule.id, last.summary.timestamp)) out.hits.push(hitOf(c.match, last, related));
  }
  out.hitOverflow = hitBudget.overflow;
  const flood = named.result();
  if (flood) out.flood = flood;
  return out;
}

/**
 * An ERRORLOG of any size, streamed: memory is a window and one entry, never the file (a
 * tampered or never-rotated log can be hundreds of MB), and a Ctrl-C stops it between windows.
 */
async function scanErrorlog(
  a: EvidenceArtefact,
  source: Awaited<ReturnType<EvidenceSet['open']>>,
  out: EventScanResult,
  consider: (ev: SourcedEvent, st: ArtefactStats) => void,
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
