import { compileDetection, detectionEventIds, detectionProviders } from './detection.js';
import { detectionNeedles, type Needles } from './needles.js';
import type { EvalContext, Predicate } from './eval-context.js';
import { resolveLogsource, type Logsource } from './logsource.js';
import { compileStringTest, parseSigmaString, type StringTest } from './sigma-string.js';
import { RuleCompileError, SIGMA_LEVELS, type RuleMeta, type SigmaLevel } from './types.js';
import { entry, scalarText, stringList, type YNode } from './yaml-tree.js';

/** One logsource alternative of a compiled rule: its precondition and its detection. */
export interface CompiledAlternative {
  /** Lower-case channels (any of); undefined = any channel. */
  channels?: readonly string[];
  /** EventIDs (as strings) the logsource requires, for indexing; undefined = any. */
  eventIds?: readonly string[];
  /**
   * Tests one of which the event's `Provider_Name` must pass for the detection to match
   * (from the detection's plain `Provider_Name` items); undefined = any provider. For
   * skipping events early only: the detection tests the field itself.
   */
  providers?: readonly StringTest[];
  /**
   * Texts one of which an event must hold in some value for the detection to match
   * (needles.ts); undefined = none known. For skipping events early only.
   */
  needles?: readonly string[];
  pre: Predicate;
  detect: Predicate;
  /**
   * Event fields the detection reads (after field mapping), in rule order: what a match was
   * decided on, so evidence can show those values first.
   */
  fields: readonly string[];
}

export interface CompiledRule {
  meta: RuleMeta;
  alternatives: CompiledAlternative[];
  /**
   * True when a correlation with `generate: false` refers to this rule: its own hits feed the
   * correlation but are not reported on their own.
   */
  suppressed: boolean;
}

export function readMeta(root: YNode, path: string, line: number, fallbackId: string): RuleMeta {
  const title = scalarText(entry(root, 'title')?.value);
  if (!title) throw new RuleCompileError('invalid-rule', "missing 'title'", []);
  const levelText = scalarText(entry(root, 'level')?.value)?.toLowerCase();
  let level: SigmaLevel = 'medium';
  if (levelText !== undefined) {
    if (!(SIGMA_LEVELS as readonly string[]).includes(levelText)) throw new RuleCompileError('invalid-rule', `unknown level '${levelText}'`, ['level']);
    level = levelText as SigmaLevel;
  }
  const meta: RuleMeta = {
    id: scalarText(entry(root, 'id')?.value) ?? fallbackId,
    title,
    level,
    tags: stringList(entry(root, 'tags')?.value),
    falsepositives: stringList(entry(root, 'falsepositives')?.value),
    references: stringList(entry(root, 'references')?.value),
    source: { path, line },
  };
  const name = scalarText(entry(root, 'name')?.value);
  if (name) meta.name = name;
  const status = scalarText(entry(root, 'status')?.value);
  if (status) meta.status = status;
  const description = scalarText(entry(root, 'description')?.value);
  if (description) meta.description = description;
  const author = scalarText(entry(root, 'author')?.value);
  if (author) meta.author = author;
  return meta;
}

function equalsAny(field: string, values: readonly (string | number)[]): Predicate {
  const want = new Set(values.map((v) => String(v).toLowerCase()));
  return (ctx: EvalContext) => {
    const s = ctx.strings(field);
    return s !== undefined && s.lower.some((x) => want.has(x));
  };
}

/** Compiles a detection rule document. Throws RuleCompileError. */
export function compileRule(root: YNode, meta: RuleMeta): CompiledRule {
  const lsNode = entry(root, 'logsource')?.value;
  if (lsNode?.kind !== 'map') throw new RuleCompileError('invalid-rule', "missing 'logsource'", ['logsource']);
  const ls: Logsource = {};
  const product = scalarText(entry(lsNode, 'product')?.value);
  const category = scalarText(entry(lsNode, 'category')?.value);
  const service = scalarText(entry(lsNode, 'service')?.value);
  if (product !== undefined) ls.product = product;
  if (category !== undefined) ls.category = category;
  if (service !== undefined) ls.service = service;
  const alts = resolveLogsource(ls);
  const detectionNode = entry(root, 'detection')?.value;
  const alternatives: CompiledAlternative[] = [];
  const detIds = detectionEventIds(detectionNode);
  const detProviders = [...(detectionProviders(detectionNode) ?? [])].map((v) => compileStringTest(parseSigmaString(v), 'exact', false));
  // Alternatives with the same field mapping share one compiled detection.
  const byMap = new Map<string, { detect: Predicate; fields: string[]; needles: Needles }>();
  for (const alt of alts) {
    const key = JSON.stringify(alt.fieldMap);
    let compiled = byMap.get(key);
    if (!compiled) {
      const fm = alt.fieldMap;
      const fields: string[] = [];
      const mapField = (f: string): string => {
        const mapped = fm[f] ?? f;
        if (mapped !== '' && !fields.includes(mapped)) fields.push(mapped);
        return mapped;
      };
      compiled = { detect: compileDetection(detectionNode, mapField), fields, needles: detectionNeedles(detectionNode, mapField) };
      byMap.set(key, compiled);
    }
    const { detect, fields, needles } = compiled;
    const conds = Object.entries(alt.conditions).map(([f, vs]) => equalsAny(f, vs));
    const channels = alt.channels;
    // Index by EventID: the logsource's and the detection's requirements, intersected.
    const lsIds = alt.conditions['EventID']?.map((x) => String(Number(x)));
    const eventIds = lsIds && detIds ? lsIds.filter((x) => detIds.has(x)) : (lsIds ?? (detIds ? [...detIds] : undefined));
    const chanSet = channels ? new Set(channels) : undefined;
    const pre: Predicate = (ctx) => {
      if (chanSet) {
        const c = ctx.strings('Channel');
        if (!c || !c.lower.some((x) => chanSet.has(x))) return false;
      }
      for (const p of conds) if (!p(ctx)) return false;
      return true;
    };
    const ca: CompiledAlternative = { pre, detect, fields };
    if (channels) ca.channels = channels;
    if (eventIds) ca.eventIds = eventIds;
    if (needles) ca.needles = needles;
    // A logsource that renames Provider_Name would make the detection read another field.
    if (detProviders.length > 0 && alt.fieldMap['Provider_Name'] === undefined) ca.providers = detProviders;
    alternatives.push(ca);
  }
  return { meta, alternatives, suppressed: false };
}
