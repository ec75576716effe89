import type { EventJson } from '../../parsers/common/event.js';
import { CorrelationEngine } from './correlation.js';
import { createEventView, type EventViewOptions } from './event-view.js';
import { mssqlMessageRenderer } from './mssql-message.js';
import type { RuleSet } from './rule-set.js';
import type { CorrelationMatch, SigmaMatch } from './types.js';

/**
 * The one way events go through a rule set, for `hunt` and `analyze` alike: each event is
 * matched as it arrives; the (few) hits that feed correlation rules are held with the
 * caller's tag, and at the end run through the streaming CorrelationEngine in event-time
 * order (ties in arrival order), so input files need not be in time order and both commands
 * see the same correlations.
 */

interface Held<T> {
  ms: number;
  /** Digits past the millisecond (EVTX keeps 100 ns), for order within one millisecond. */
  sub: number;
  seq: number;
  event: EventJson;
  matches: SigmaMatch[];
  tag: T;
}

/** A correlation match with the tag of each of its events (same order; undefined when not held here). */
export interface TaggedCorrelation<T> {
  match: CorrelationMatch;
  tags: (T | undefined)[];
}

/** `2026-03-02T06:00:14.5304930Z` → [ms since epoch, the 100 ns digits past the ms]; undefined when unparseable. */
export function eventTimeKey(iso: string): [number, number] | undefined {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const frac = /\.(\d+)Z?$/i.exec(iso)?.[1] ?? '';
  const sub = frac.length > 3 ? Number(frac.slice(3, 9).padEnd(6, '0')) : 0;
  return [ms, sub];
}

export class DetectionDriver<T> {
  private readonly rules: RuleSet;
  private readonly viewOpts: EventViewOptions;
  private readonly engine: CorrelationEngine;
  private held: Held<T>[] = [];
  private seq = 0;

  /** `opts.message` defaults to SQL Server's message templates (mssql-message.ts). */
  constructor(rules: RuleSet, opts: EventViewOptions = { message: mssqlMessageRenderer }) {
    this.rules = rules;
    this.viewOpts = opts;
    this.engine = new CorrelationEngine(rules, opts);
  }

  /** Hits held for the correlation pass so far. */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * The detection rules `event` matches. Those that feed a correlation are held with `tag`
   * when the event has a time (`timestamp`, ISO-8601 UTC): a correlation window needs one.
   */
  match(event: EventJson, timestamp: string, tag: T): SigmaMatch[] {
    const matches = this.rules.match(createEventView(event, this.viewOpts));
    if (matches.length === 0) return matches;
    const forCorrelation = matches.filter((m) => this.engine.wants(m.rule.id));
    if (forCorrelation.length > 0) {
      const key = eventTimeKey(timestamp);
      if (key) this.held.push({ ms: key[0], sub: key[1], seq: this.seq++, event, matches: forCorrelation, tag });
    }
    return matches;
  }

  /** Whether any detection rule matches `event`, as `match` decides it; nothing is held. */
  anyMatch(event: EventJson): boolean {
    return this.rules.match(createEventView(event, this.viewOpts)).length > 0;
  }

  /** Tags of the held hits (e.g. to find events counted twice before `correlate`). */
  heldTags(): T[] {
    return this.held.map((h) => h.tag);
  }

  /** Runs the held hits through the correlations in time order, except those `skip` names. */
  correlate(skip?: (tag: T) => boolean): TaggedCorrelation<T>[] {
    const held = this.held;
    this.held = [];
    held.sort((a, b) => a.ms - b.ms || a.sub - b.sub || a.seq - b.seq);
    const tagOf = new Map<EventJson, T>();
    const out: CorrelationMatch[] = [];
    for (const h of held) {
      if (skip?.(h.tag)) continue;
      tagOf.set(h.event, h.tag);
      for (const m of this.engine.push(h.event, h.matches)) out.push(m);
    }
    // A loop, not push(...): a forged log can leave more open groups than a call takes arguments.
    for (const m of this.engine.flush()) out.push(m);
    return out.map((match) => ({ match, tags: match.events.map((e) => tagOf.get(e)) }));
  }
}
