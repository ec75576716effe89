import type { EventJson } from '../../parsers/common/event.js';
import type { NeedleProbe } from '../../parsers/evtx/index.js';
import type { CorrelationDef } from './correlation-def.js';
import { EvalContext } from './eval-context.js';
import type { CompiledAlternative, CompiledRule } from './rule.js';
import type { EventView, RuleMeta, SigmaMatch } from './types.js';

/** A correlation whose references are resolved to rule ids, in dependency order. */
export interface ResolvedCorrelation extends CorrelationDef {
  /** Referenced rule ids (detection or correlation), same order as `refs`. */
  ruleIds: string[];
  /** A correlation with `generate: false` refers to this one. */
  suppressed: boolean;
}

interface Entry {
  rule: CompiledRule;
  alt: CompiledAlternative;
}

const ANY = '*';

/** Whether the event's `Provider_Name` passes one of the tests the alternative requires. */
function providerMay(alt: CompiledAlternative, ctx: EvalContext): boolean {
  if (alt.providers === undefined) return true;
  const p = ctx.strings('Provider_Name');
  if (!p) return true; // how a missing field compares is the detection's business
  for (let i = 0; i < p.raw.length; i++) for (const t of alt.providers) if (t(p.raw[i] as string, p.lower[i] as string)) return true;
  return false;
}

/**
 * Loaded and compiled rules with a dispatch index (channel → EventID → alternatives), so
 * an event is only tested against rules whose logsource can match it.
 */
export class RuleSet {
  readonly rules: readonly CompiledRule[];
  readonly correlations: readonly ResolvedCorrelation[];
  private readonly index = new Map<string, Map<string, Entry[]>>();

  constructor(rules: CompiledRule[], correlations: ResolvedCorrelation[]) {
    this.rules = rules;
    this.correlations = correlations;
    for (const rule of rules) {
      for (const alt of rule.alternatives) {
        for (const ch of alt.channels ?? [ANY]) {
          let byId = this.index.get(ch);
          if (!byId) this.index.set(ch, (byId = new Map()));
          for (const id of alt.eventIds ?? [ANY]) {
            let list = byId.get(id);
            if (!list) byId.set(id, (list = []));
            list.push({ rule, alt });
          }
        }
      }
    }
  }

  get size(): number {
    return this.rules.length + this.correlations.length;
  }

  /** Every rule's metadata (detection then correlation). */
  metas(): RuleMeta[] {
    return [...this.rules.map((r) => r.meta), ...this.correlations.map((c) => c.meta)];
  }

  /** The index lists a view's Channel and EventID select: the only rules match() tests. */
  private listsFor(ctx: EvalContext): (Entry[] | undefined)[] {
    const ch = ctx.strings('Channel')?.lower[0] ?? '';
    const id = ctx.strings('EventID')?.raw[0] ?? '';
    const lists: (Entry[] | undefined)[] = [];
    for (const c of ch === ANY ? [ANY] : [ch, ANY]) {
      const byId = this.index.get(c);
      if (!byId) continue;
      lists.push(byId.get(id), byId.get(ANY));
    }
    return lists;
  }

  /**
   * False when no rule can match an event with this view's Channel and EventID (the view
   * needs only `Event.System`): match() would test no rule at all, or only rules whose
   * detection requires a `Provider_Name` this event lacks, or (when `holds` is given) only
   * rules whose needles `holds` says no value of the event holds (CompiledAlternative
   * `needles`). A rule whose logsource and detection do not pin an EventID is indexed under
   * any EventID, so it keeps its channel (or every channel, bar the providers it requires)
   * whole.
   */
  mayMatch(view: EventView, holds?: NeedleProbe): boolean {
    const ctx = new EvalContext(view);
    let needles: string[] | undefined;
    for (const list of this.listsFor(ctx)) {
      if (list === undefined) continue;
      for (const { alt } of list) {
        if (!providerMay(alt, ctx)) continue;
        if (alt.needles === undefined || holds === undefined) return true;
        needles ??= [];
        for (const n of alt.needles) if (!needles.includes(n)) needles.push(n);
      }
    }
    return needles !== undefined && holds?.(needles) !== false;
  }

  /** Detection rules that match the event (each rule at most once). */
  match(view: EventView): SigmaMatch[] {
    const ctx = new EvalContext(view);
    const out: SigmaMatch[] = [];
    let seen: Set<CompiledRule> | undefined;
    for (const list of this.listsFor(ctx)) {
      if (!list) continue;
      for (const { rule, alt } of list) {
        if (seen?.has(rule)) continue;
        if (!alt.pre(ctx) || !alt.detect(ctx)) continue;
        (seen ??= new Set()).add(rule);
        out.push({ kind: 'detection', rule: rule.meta, event: view.event as EventJson, reported: !rule.suppressed, fields: alt.fields });
      }
    }
    return out;
  }
}
