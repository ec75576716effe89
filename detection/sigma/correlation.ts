import { summarizeEvent, type EventJson } from '../../parsers/common/event.js';
import { compare } from './correlation-def.js';
import { createEventView, type EventViewOptions } from './event-view.js';
import { MAX_CORRELATION_EVENTS, MAX_CORRELATION_GROUPS } from './limits.js';
import type { ResolvedCorrelation, RuleSet } from './rule-set.js';
import type { CorrelationMatch, EventView, FieldScalar, SigmaMatch } from './types.js';

/** One input to a correlation: a detection hit, or a hit of a referenced correlation. */
interface Hit {
  ruleId: string;
  ts: number;
  iso: string;
  events: EventJson[];
  count: number;
  /** Field lookup for group-by / value_count. */
  field(name: string): string | undefined;
}

interface GroupState {
  hits: Hit[];
  /** Tumbling-window start (lt/lte/eq conditions). */
  windowStart: number;
  /** After a gt/gte count fired: hits before this time continue the same burst and are absorbed. */
  quietUntil: number;
}

/** Conditions that can only be decided when a window closes ("fewer than N"). */
function isUpperBounded(c: ResolvedCorrelation): boolean {
  return (c.condition?.ops ?? []).some((o) => o.op === 'lt' || o.op === 'lte' || o.op === 'eq');
}

function firstString(v: FieldScalar | readonly FieldScalar[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? (v as readonly FieldScalar[])[0] : (v as FieldScalar);
  return s === undefined || s === null ? undefined : String(s);
}

/**
 * Streaming evaluator for Sigma correlation rules. Feed events in timestamp order (the
 * caller sorts) with their detection matches; it returns correlation matches as soon as
 * they are decided, and the rest at `flush()`.
 *
 * Semantics, per correlation and group-by key:
 * - event_count / value_count with gt/gte conditions: sliding window of `timespan`; fires
 *   when the condition first holds; further hits less than `timespan` apart continue the
 *   same burst and do not fire again (one alert per burst).
 * - with lt/lte/eq: tumbling windows from the group's first hit, decided when a hit falls
 *   past the window or at flush (a group with no hits at all never fires).
 * - temporal: fires when the referenced rules (all, or the condition's count of distinct
 *   rules) each hit within `timespan`; temporal_ordered also needs them in the listed order.
 * Events lacking a group-by field are not counted (as a SIEM's `by` clause drops them).
 * Correlations may refer to correlations: their hits carry the group-by values.
 */
export class CorrelationEngine {
  private readonly byRule = new Map<string, ResolvedCorrelation[]>();
  private readonly state = new Map<ResolvedCorrelation, Map<string, GroupState>>();
  private readonly viewOpts: EventViewOptions;

  constructor(rules: RuleSet, opts: EventViewOptions = {}) {
    this.viewOpts = opts;
    for (const c of rules.correlations) {
      this.state.set(c, new Map());
      for (const id of new Set(c.ruleIds)) {
        let l = this.byRule.get(id);
        if (!l) this.byRule.set(id, (l = []));
        l.push(c);
      }
    }
  }

  /** True when some correlation listens to this rule id. */
  wants(ruleId: string): boolean {
    return this.byRule.has(ruleId);
  }

  /** Feeds one event (in time order) and its detection matches. */
  push(event: EventJson, matches: readonly SigmaMatch[], view?: EventView): CorrelationMatch[] {
    const out: CorrelationMatch[] = [];
    const relevant = matches.filter((m) => this.byRule.has(m.rule.id));
    if (relevant.length === 0) return out;
    const iso = summarizeEvent(event).timestamp;
    const ts = Date.parse(iso);
    if (!Number.isFinite(ts)) return out; // No time, no correlation.
    const v = view ?? createEventView(event, this.viewOpts);
    for (const m of relevant) {
      this.feed({ ruleId: m.rule.id, ts, iso, events: [event], count: 1, field: (f) => firstString(v.get(f)) }, out);
    }
    return out;
  }

  /** Decides every open window (end of input). */
  flush(): CorrelationMatch[] {
    const out: CorrelationMatch[] = [];
    for (const [c, groups] of this.state) {
      if (c.type !== 'event_count' && c.type !== 'value_count') continue;
      if (!isUpperBounded(c)) continue;
      for (const [key, g] of groups) this.decideWindow(c, key, g, out);
      groups.clear();
    }
    return out;
  }

  private groupKey(c: ResolvedCorrelation, hit: Hit): { key: string; group: Record<string, string> } | undefined {
    const group: Record<string, string> = {};
    const ref = c.refs[c.ruleIds.indexOf(hit.ruleId)] ?? hit.ruleId;
    for (const g of c.groupBy) {
      const alias = c.aliases[g];
      const field = alias ? (alias[ref] ?? alias[hit.ruleId] ?? g) : g;
      const v = hit.field(field);
      if (v === undefined || v === '') return undefined;
      group[g] = v;
    }
    return { key: JSON.stringify(c.groupBy.map((g) => (group[g] ?? '').toLowerCase())), group };
  }

  private feed(hit: Hit, out: CorrelationMatch[]): void {
    for (const c of this.byRule.get(hit.ruleId) ?? []) {
      const gk = this.groupKey(c, hit);
      if (!gk) continue;
      const groups = this.state.get(c) as Map<string, GroupState>;
      let g = groups.get(gk.key);
      if (!g) {
        if (groups.size >= MAX_CORRELATION_GROUPS) {
          const oldest = groups.keys().next().value;
          if (oldest !== undefined) groups.delete(oldest);
        }
        g = { hits: [], windowStart: hit.ts, quietUntil: -Infinity };
        groups.set(gk.key, g);
      }
      const fired = this.step(c, gk.key, gk.group, g, hit);
      if (fired) {
        if (!c.suppressed) out.push(fired);
        // Chained correlations see this match as a hit carrying the group values.
        const group = fired.group;
        this.feed(
          {
            ruleId: c.meta.id,
            ts: Date.parse(fired.lastSeen),
            iso: fired.lastSeen,
            events: fired.events,
            count: fired.count,
            field: (f) => group[f],
          },
          out,
        );
      }
    }
  }

  private makeMatch(c: ResolvedCorrelation, group: Record<string, string>, hits: Hit[], distinct?: number): CorrelationMatch {
    const events: EventJson[] = [];
    let count = 0;
    for (const h of hits) {
      count += h.count;
      for (const e of h.events) if (events.length < MAX_CORRELATION_EVENTS) events.push(e);
    }
    const m: CorrelationMatch = {
      kind: 'correlation',
      rule: c.meta,
      correlationType: c.type,
      group,
      events,
      count,
      firstSeen: hits[0]?.iso ?? '',
      lastSeen: hits[hits.length - 1]?.iso ?? '',
    };
    if (distinct !== undefined) m.distinct = distinct;
    return m;
  }

  private distinct(c: ResolvedCorrelation, hits: Hit[]): number {
    const f = c.condition?.field as string;
    const s = new Set<string>();
    for (const h of hits) {
      const v = h.field(f);
      if (v !== undefined) s.add(v.toLowerCase());
    }
    return s.size;
  }

  private decideWindow(c: ResolvedCorrelation, key: string, g: GroupState, out: CorrelationMatch[]): void {
    if (g.hits.length === 0) return;
    const n = c.type === 'value_count' ? this.distinct(c, g.hits) : g.hits.reduce((a, h) => a + h.count, 0);
    if (compare(c.condition?.ops ?? [], n)) {
      const gk = this.groupKey(c, g.hits[0] as Hit);
      const m = this.makeMatch(c, gk?.group ?? { key }, g.hits, c.type === 'value_count' ? n : undefined);
      if (!c.suppressed) out.push(m);
    }
  }

  private step(c: ResolvedCorrelation, key: string, group: Record<string, string>, g: GroupState, hit: Hit): CorrelationMatch | undefined {
    const span = c.timespanMs;
    if (c.type === 'event_count' || c.type === 'value_count') {
      if (isUpperBounded(c)) {
        if (hit.ts - g.windowStart > span) {
          const closed: CorrelationMatch[] = [];
          this.decideWindow(c, key, g, closed);
          g.hits = [];
          g.windowStart = hit.ts;
          g.hits.push(hit);
          return closed[0];
        }
        g.hits.push(hit);
        return undefined;
      }
      // One alert per burst: hits that keep coming within `timespan` of the previous one
      // after an alert belong to the same burst.
      if (hit.ts <= g.quietUntil) {
        g.quietUntil = hit.ts + span;
        return undefined;
      }
      g.hits.push(hit);
      while (g.hits.length > 0 && hit.ts - (g.hits[0] as Hit).ts > span) g.hits.shift();
      const n = c.type === 'value_count' ? this.distinct(c, g.hits) : g.hits.reduce((a, h) => a + h.count, 0);
      if (!compare(c.condition?.ops ?? [], n)) return undefined;
      const m = this.makeMatch(c, group, g.hits, c.type === 'value_count' ? n : undefined);
      g.hits = [];
      g.quietUntil = hit.ts + span;
      return m;
    }
    // temporal / temporal_ordered
    g.hits.push(hit);
    while (g.hits.length > 0 && hit.ts - (g.hits[0] as Hit).ts > span) g.hits.shift();
    const need = c.condition?.ops.length ? undefined : new Set(c.ruleIds).size;
    if (c.type === 'temporal') {
      const seen = new Set(g.hits.map((h) => h.ruleId));
      const ok = need !== undefined ? seen.size >= need : compare(c.condition?.ops ?? [], seen.size);
      if (!ok) return undefined;
      const m = this.makeMatch(c, group, g.hits);
      g.hits = [];
      return m;
    }
    // temporal_ordered: the rules must hit in the listed order (each at or after the previous).
    const chain: Hit[] = [];
    let from = 0;
    for (const id of c.ruleIds) {
      let found = -1;
      for (let i = from; i < g.hits.length; i++) {
        if ((g.hits[i] as Hit).ruleId === id) {
          found = i;
          break;
        }
      }
      if (found < 0) return undefined;
      chain.push(g.hits[found] as Hit);
      from = found + 1;
    }
    const m = this.makeMatch(c, group, chain);
    g.hits = [];
    return m;
  }
}
