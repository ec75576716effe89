import { RuleCompileError, type RuleMeta } from './types.js';
import { entry, scalarText, stringList, type YNode } from './yaml-tree.js';

/**
 * Sigma v2 correlation rules (Sigma correlation spec): `event_count`, `value_count`,
 * `temporal`, `temporal_ordered`, with `rules`, `group-by`, `timespan`, `condition`
 * (gt/gte/lt/lte/eq; `field` for value_count), `aliases` and `generate`.
 */
export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export const COMPARE_OPS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export interface CorrelationCondition {
  ops: { op: CompareOp; value: number }[];
  /** value_count: the field whose distinct values are counted. */
  field?: string;
}

export interface CorrelationDef {
  meta: RuleMeta;
  type: CorrelationType;
  /** Referenced rules by id or name, as written. */
  refs: string[];
  groupBy: string[];
  timespanMs: number;
  condition: CorrelationCondition | undefined;
  generate: boolean;
  /** alias → (rule reference → that rule's field name). */
  aliases: Record<string, Record<string, string>>;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseTimespan(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([smhdw])\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

export function compare(ops: readonly { op: CompareOp; value: number }[], n: number): boolean {
  for (const { op, value } of ops) {
    const ok = op === 'gt' ? n > value : op === 'gte' ? n >= value : op === 'lt' ? n < value : op === 'lte' ? n <= value : n === value;
    if (!ok) return false;
  }
  return true;
}

export function parseCorrelation(root: YNode, meta: RuleMeta): CorrelationDef {
  const c = entry(root, 'correlation')?.value;
  if (c?.kind !== 'map') throw new RuleCompileError('correlation', "'correlation' must be a map", ['correlation']);
  const type = scalarText(entry(c, 'type')?.value);
  if (!type || !(CORRELATION_TYPES as readonly string[]).includes(type)) {
    throw new RuleCompileError('correlation', `unsupported correlation type '${type ?? ''}'`, ['correlation', 'type']);
  }
  for (const e of c.entries) {
    if (!['type', 'rules', 'group-by', 'timespan', 'condition', 'generate', 'aliases'].includes(e.key)) {
      throw new RuleCompileError('correlation', `unsupported correlation key '${e.key}'`, ['correlation', e.key]);
    }
  }
  const refs = stringList(entry(c, 'rules')?.value);
  if (refs.length === 0) throw new RuleCompileError('correlation', "correlation needs 'rules'", ['correlation', 'rules']);
  const tsText = scalarText(entry(c, 'timespan')?.value);
  const timespanMs = tsText === undefined ? undefined : parseTimespan(tsText);
  if (timespanMs === undefined) throw new RuleCompileError('correlation', `invalid or missing timespan '${tsText ?? ''}'`, ['correlation', 'timespan']);
  const groupBy = stringList(entry(c, 'group-by')?.value);
  let condition: CorrelationCondition | undefined;
  const condNode = entry(c, 'condition')?.value;
  if (condNode) {
    if (condNode.kind !== 'map') throw new RuleCompileError('correlation', "'condition' must be a map", ['correlation', 'condition']);
    condition = { ops: [] };
    for (const e of condNode.entries) {
      if (e.key === 'field') {
        const f = scalarText(e.value);
        if (f) condition.field = f;
        continue;
      }
      if (!(COMPARE_OPS as readonly string[]).includes(e.key)) throw new RuleCompileError('correlation', `unsupported condition operator '${e.key}'`, ['correlation', 'condition', e.key]);
      const n = Number(scalarText(e.value));
      if (!Number.isFinite(n)) throw new RuleCompileError('correlation', `'${e.key}' needs a number`, ['correlation', 'condition', e.key]);
      condition.ops.push({ op: e.key as CompareOp, value: n });
    }
  }
  if ((type === 'event_count' || type === 'value_count') && (!condition || condition.ops.length === 0)) {
    throw new RuleCompileError('correlation', `${type} needs a condition`, ['correlation', 'condition']);
  }
  if (type === 'value_count' && !condition?.field) throw new RuleCompileError('correlation', "value_count needs 'condition.field'", ['correlation', 'condition']);
  if ((type === 'temporal' || type === 'temporal_ordered') && refs.length < 2) {
    throw new RuleCompileError('correlation', `${type} needs at least two rules`, ['correlation', 'rules']);
  }
  const genNode = entry(c, 'generate')?.value;
  const generate = genNode?.kind === 'scalar' && genNode.value === true;
  const aliases: Record<string, Record<string, string>> = {};
  const aliasNode = entry(c, 'aliases')?.value;
  if (aliasNode) {
    if (aliasNode.kind !== 'map') throw new RuleCompileError('correlation', "'aliases' must be a map", ['correlation', 'aliases']);
    for (const a of aliasNode.entries) {
      if (a.value.kind !== 'map') throw new RuleCompileError('correlation', `alias '${a.key}' must map rules to fields`, ['correlation', 'aliases', a.key]);
      aliases[a.key] = Object.fromEntries(a.value.entries.map((x) => [x.key, scalarText(x.value) ?? '']));
    }
  }
  return { meta, type: type as CorrelationType, refs, groupBy, timespanMs, condition, generate, aliases };
}
