import { compileCondition, parseCondition, type ConditionNode } from './condition.js';
import { compileFieldItem, fieldItemCost } from './field-matcher.js';
import type { Predicate } from './eval-context.js';
import { RuleCompileError } from './types.js';
import type { YNode } from './yaml-tree.js';

/**
 * Compiles a rule's `detection` block into one predicate for one field mapping.
 * Selections: a map (all items must match), a list of maps (any map), a list of strings or
 * one string (keywords: any). The condition (or list of conditions, OR-ed) is parsed once.
 */
export function compileDetection(node: YNode | undefined, mapField: (f: string) => string): Predicate {
  if (node?.kind !== 'map') throw new RuleCompileError('invalid-rule', "missing or invalid 'detection' map", ['detection']);
  const selections = new Map<string, YNode>();
  let condNode: YNode | undefined;
  for (const e of node.entries) {
    if (e.key === 'condition') condNode = e.value;
    else if (e.key === 'timeframe') throw new RuleCompileError('unsupported-feature', "'timeframe' (Sigma v1 aggregation); use a correlation rule", ['detection', 'timeframe']);
    else selections.set(e.key, e.value);
  }
  if (!condNode) throw new RuleCompileError('invalid-rule', "missing 'detection.condition'", ['detection']);
  const condTexts: string[] = [];
  if (condNode.kind === 'scalar' && typeof condNode.value === 'string') condTexts.push(condNode.value);
  else if (condNode.kind === 'seq' && condNode.items.every((i) => i.kind === 'scalar' && typeof i.value === 'string')) {
    for (const i of condNode.items) if (i.kind === 'scalar') condTexts.push(String(i.value));
  } else throw new RuleCompileError('condition', "'condition' must be a string or a list of strings", ['detection', 'condition']);
  if (condTexts.length === 0) throw new RuleCompileError('condition', 'empty condition', ['detection', 'condition']);

  const names = [...selections.keys()];
  const asts = condTexts.map((t) => parseCondition(t, names));
  const compiled = new Map<string, Predicate>();
  const sel = (name: string): Predicate => {
    let p = compiled.get(name);
    if (!p) {
      p = compileSelection(name, selections.get(name) as YNode, mapField);
      compiled.set(name, p);
    }
    return p;
  };
  // Compile every selection (even unused ones) so their errors surface at load time.
  for (const n of names) sel(n);
  const preds = asts.map((a) => compileCondition(a, sel));
  if (preds.length === 1) return preds[0] as Predicate;
  return (ctx) => preds.some((p) => p(ctx));
}

function compileMap(node: YNode & { kind: 'map' }, mapField: (f: string) => string, at: (string | number)[]): Predicate {
  if (node.entries.length === 0) throw new RuleCompileError('invalid-rule', 'empty selection map', at);
  // AND is order-free: test cheap items (EventID, endswith) before long contains lists.
  const items = node.entries
    .map((e) => ({ p: compileFieldItem(e.key, e.value, mapField, [...at, e.key]), cost: fieldItemCost(e.key, e.value) }))
    .sort((a, b) => a.cost - b.cost)
    .map((x) => x.p);
  if (items.length === 1) return items[0] as Predicate;
  const n = items.length;
  return (ctx) => {
    for (let i = 0; i < n; i++) if (!(items[i] as Predicate)(ctx)) return false;
    return true;
  };
}

function compileSelection(name: string, node: YNode, mapField: (f: string) => string): Predicate {
  const at = ['detection', name];
  if (node.kind === 'map') return compileMap(node, mapField, at);
  if (node.kind === 'scalar') {
    if (node.value === null) throw new RuleCompileError('invalid-rule', `selection '${name}' is empty`, at);
    return compileFieldItem('', node, mapField, at);
  }
  if (node.items.length === 0) throw new RuleCompileError('invalid-rule', `selection '${name}' is an empty list`, at);
  if (node.items.every((i) => i.kind === 'map')) {
    const ps = node.items.map((i, k) => compileMap(i as YNode & { kind: 'map' }, mapField, [...at, k]));
    const n = ps.length;
    return (ctx) => {
      for (let i = 0; i < n; i++) if ((ps[i] as Predicate)(ctx)) return true;
      return false;
    };
  }
  if (node.items.every((i) => i.kind === 'scalar')) return compileFieldItem('', node, mapField, at);
  throw new RuleCompileError('invalid-rule', `selection '${name}' mixes maps and keywords`, at);
}

/**
 * The values a selection requires of `key` (the plain key, no modifiers; every value accepted
 * by `accept`, normalised by it), or undefined (any).
 */
function selectionValues(node: YNode | undefined, key: string, accept: (v: string) => string | undefined): Set<string> | undefined {
  if (!node) return undefined;
  const ofMap = (m: YNode): Set<string> | undefined => {
    if (m.kind !== 'map') return undefined;
    const e = m.entries.find((x) => x.key === key);
    if (!e) return undefined;
    const vals = e.value.kind === 'scalar' ? [e.value] : e.value.kind === 'seq' ? e.value.items : [];
    const out = new Set<string>();
    for (const v of vals) {
      const norm = v.kind === 'scalar' && typeof v.value === 'string' ? accept(v.value) : undefined;
      if (norm === undefined) return undefined;
      out.add(norm);
    }
    return out.size ? out : undefined;
  };
  if (node.kind === 'map') return ofMap(node);
  if (node.kind === 'seq' && node.items.length && node.items.every((i) => i.kind === 'map')) {
    const u = new Set<string>();
    for (const i of node.items) {
      const s = ofMap(i);
      if (!s) return undefined;
      for (const x of s) u.add(x);
    }
    return u;
  }
  return undefined;
}

/**
 * The values a condition requires, from its selections' (`sel`). With `exact`, an AND keeps
 * the values all its parts allow (EventIDs are plain numbers); without, it keeps the first
 * part's (patterns do not intersect as sets; a larger set is the safe side).
 */
function astValues(ast: ConditionNode, sel: (n: string) => Set<string> | undefined, exact: boolean): Set<string> | undefined {
  const union = (sets: (Set<string> | undefined)[]): Set<string> | undefined => {
    const u = new Set<string>();
    for (const s of sets) {
      if (!s) return undefined;
      for (const x of s) u.add(x);
    }
    return u;
  };
  const intersect = (sets: (Set<string> | undefined)[]): Set<string> | undefined => {
    let acc: Set<string> | undefined;
    for (const s of sets) {
      if (!s) continue;
      if (!acc) acc = new Set(s);
      else if (exact) acc = new Set([...acc].filter((x) => s.has(x)));
    }
    return acc;
  };
  switch (ast.op) {
    case 'id':
      return sel(ast.name);
    case 'not':
      return undefined;
    case 'and':
      return intersect(ast.args.map((a) => astValues(a, sel, exact)));
    case 'or':
      return union(ast.args.map((a) => astValues(a, sel, exact)));
    case 'of':
      return ast.count === 'all' ? intersect(ast.names.map(sel)) : union(ast.names.map(sel));
  }
}

/**
 * The EventIDs an event must have for the detection to match at all, derived from the
 * condition (an AND with an `EventID` selection, or an OR whose every branch has one);
 * undefined when it cannot be known. Used only to index rules; matching still tests EventID.
 */
export function detectionEventIds(node: YNode | undefined): Set<string> | undefined {
  return detectionValues(node, 'EventID', (v) => (/^\d+$/.test(v) ? String(Number(v)) : undefined), true);
}

/**
 * The `Provider_Name` values (Sigma strings, wildcards kept) an event must match for the
 * detection to match at all, derived as detectionEventIds derives EventIDs; undefined when
 * it cannot be known. Used only to skip events early; matching still tests the field.
 */
export function detectionProviders(node: YNode | undefined): Set<string> | undefined {
  return detectionValues(node, 'Provider_Name', (v) => v, false);
}

function detectionValues(node: YNode | undefined, key: string, accept: (v: string) => string | undefined, exact: boolean): Set<string> | undefined {
  if (node?.kind !== 'map') return undefined;
  const cond = node.entries.find((e) => e.key === 'condition')?.value;
  if (cond?.kind !== 'scalar' || typeof cond.value !== 'string') return undefined;
  const sels = new Map(node.entries.filter((e) => e.key !== 'condition').map((e) => [e.key, e.value]));
  try {
    return astValues(parseCondition(cond.value, [...sels.keys()]), (n) => selectionValues(sels.get(n), key, accept), exact);
  } catch {
    return undefined; // compileDetection reports the error
  }
}
