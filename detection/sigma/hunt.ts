import { summarizeEvent, type EventJson } from '../../parsers/common/event.js';
import type { NeedleProbe } from '../../parsers/evtx/index.js';
import { DetectionDriver } from './event-driver.js';
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

/**
 * Runs a rule set over a stream of events from any number of files, through the same
 * DetectionDriver as the analysis: detections are returned as events arrive; the hits that
 * feed correlation rules are held and correlated in event-time order at `finish()`, so
 * input files need not be in time order and memory grows with hits, not with events.
 */
export class Hunter {
  private readonly driver: DetectionDriver<HuntEvent>;
  private readonly rules: RuleSet;
  readonly stats: HuntStats = { events: 0, detections: 0, correlations: 0, correlationInputs: 0 };

  /** `opts.message` defaults to SQL Server's message templates (mssql-message.ts). */
  constructor(rules: RuleSet, opts: EventViewOptions = { message: mssqlMessageRenderer }) {
    this.driver = new DetectionDriver(rules, opts);
    this.rules = rules;
  }

  /**
   * Whether an event with this head (`{ Event: { System } }`) and values can match any rule: the
   * prefilter of an EVTX scan (parsers/evtx scanEvtxRecords). An event it rules out is only
   * counted (`pass`).
   */
  wants(head: EventJson, holds?: NeedleProbe): boolean {
    return this.rules.mayMatch(createEventView(head), holds);
  }

  /** Counts an event the prefilter ruled out (no rule can match it). */
  pass(): void {
    this.stats.events++;
  }

  push(ev: HuntEvent): HuntRow[] {
    this.stats.events++;
    const matches = this.driver.match(ev.event, summarizeEvent(ev.event).timestamp, ev);
    const rows: HuntRow[] = [];
    for (const m of matches) if (m.reported) rows.push(this.detectionRow(m, ev));
    this.stats.correlationInputs = this.driver.heldCount;
    this.stats.detections += rows.length;
    return rows;
  }

  finish(): HuntRow[] {
    const rows = this.driver.correlate().map((c) => this.correlationRow(c.match, c.tags[c.tags.length - 1]));
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

  private correlationRow(m: CorrelationMatch, o: HuntEvent | undefined): HuntRow {
    const last = m.events[m.events.length - 1];
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
