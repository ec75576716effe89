import { summarizeEvent, type EventJson } from '../../parsers/common/event.js';
import { CorrelationEngine } from './correlation.js';
import { createEventView, type EventViewOptions } from './event-view.js';
import { mssqlMessageRenderer } from './mssql-message.js';
import type { RuleSet } from './rule-set.js';
import type { CorrelationMatch, SigmaLevel, SigmaMatch } from './types.js';

/** One event to hunt through, with where it came from. */
export interface HuntEvent {
  event: EventJson;
  /** The file it was read from (as given by the user). */
  file: string;
  /** EVTX EventRecordID. */
  recordId?: number;
  /** ERRORLOG: 1-based line. */
  line?: number;
}

/** One reported hit: a detection on one event, or a correlation over several. */
export interface HuntRow {
  kind: 'detection' | 'correlation';
  ruleId: string;
  title: string;
  level: SigmaLevel;
  tags: string[];
  file: string;
  recordId?: number;
  line?: number;
  /** UTC ISO-8601 (the event's, or the correlation's last event). */
  timestamp: string;
  eventId: number;
  /** Correlations: contributing hits, first event time, group-by values. */
  count?: number;
  firstSeen?: string;
  group?: Record<string, string>;
}

export interface HuntStats {
  events: number;
  detections: number;
  correlations: number;
  /** Detection hits held back for the correlation pass. */
  correlationInputs: number;
}

interface Held {
  ts: number;
  seq: number;
  ev: HuntEvent;
  matches: SigmaMatch[];
}

/**
 * Runs a rule set over a stream of events from any number of files. Detections are returned
 * as events arrive; the (few) hits that feed correlation rules are held, sorted by event
 * time and run through the streaming CorrelationEngine at `finish()`, so input files need
 * not be in time order and memory grows with hits, not with events.
 */
export class Hunter {
  private readonly rules: RuleSet;
  private readonly viewOpts: EventViewOptions;
  private readonly engine: CorrelationEngine;
  private readonly held: Held[] = [];
  private readonly origin = new Map<EventJson, HuntEvent>();
  readonly stats: HuntStats = { events: 0, detections: 0, correlations: 0, correlationInputs: 0 };

  /** `opts.message` defaults to SQL Server's message templates (mssql-message.ts). */
  constructor(rules: RuleSet, opts: EventViewOptions = { message: mssqlMessageRenderer }) {
    this.rules = rules;
    this.viewOpts = opts;
    this.engine = new CorrelationEngine(rules, opts);
  }

  push(ev: HuntEvent): HuntRow[] {
    this.stats.events++;
    const view = createEventView(ev.event, this.viewOpts);
    const matches = this.rules.match(view);
    if (matches.length === 0) return [];
    const rows: HuntRow[] = [];
    const forCorrelation: SigmaMatch[] = [];
    for (const m of matches) {
      if (m.reported) rows.push(this.detectionRow(m, ev));
      if (this.engine.wants(m.rule.id)) forCorrelation.push(m);
    }
    if (forCorrelation.length) {
      const ts = Date.parse(summarizeEvent(ev.event).timestamp);
      if (Number.isFinite(ts)) {
        this.held.push({ ts, seq: this.held.length, ev, matches: forCorrelation });
        this.origin.set(ev.event, ev);
        this.stats.correlationInputs++;
      }
    }
    this.stats.detections += rows.length;
    return rows;
  }

  finish(): HuntRow[] {
    this.held.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    const out: CorrelationMatch[] = [];
    for (const h of this.held) out.push(...this.engine.push(h.ev.event, h.matches));
    out.push(...this.engine.flush());
    this.held.length = 0;
    const rows = out.map((m) => this.correlationRow(m));
    this.stats.correlations += rows.length;
    return rows;
  }

  private detectionRow(m: SigmaMatch, ev: HuntEvent): HuntRow {
    const s = summarizeEvent(ev.event);
    const row: HuntRow = {
      kind: 'detection',
      ruleId: m.rule.id,
      title: m.rule.title,
      level: m.rule.level,
      tags: m.rule.tags,
      file: ev.file,
      timestamp: s.timestamp,
      eventId: s.eventId,
    };
    const rid = ev.recordId ?? s.recordId;
    if (rid !== undefined) row.recordId = rid;
    if (ev.line !== undefined) row.line = ev.line;
    return row;
  }

  private correlationRow(m: CorrelationMatch): HuntRow {
    const last = m.events[m.events.length - 1];
    const o = last ? this.origin.get(last) : undefined;
    const s = last ? summarizeEvent(last) : undefined;
    const row: HuntRow = {
      kind: 'correlation',
      ruleId: m.rule.id,
      title: m.rule.title,
      level: m.rule.level,
      tags: m.rule.tags,
      file: o?.file ?? '',
      timestamp: m.lastSeen,
      eventId: s?.eventId ?? 0,
      count: m.count,
      firstSeen: m.firstSeen,
      group: m.group,
    };
    const rid = o?.recordId ?? s?.recordId;
    if (rid !== undefined) row.recordId = rid;
    if (o?.line !== undefined) row.line = o.line;
    return row;
  }
}
