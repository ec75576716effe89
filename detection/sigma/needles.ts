import { parseCondition, type ConditionNode } from './condition.js';
import { parseFieldKey } from './field-matcher.js';
import { MAX_EXPANDED_VALUES } from './limits.js';
import { MODIFIER_FAMILY, TRANSFORMS, type TValue } from './modifiers/index.js';
import { parseSigmaString } from './sigma-string.js';
import type { YNode } from './yaml-tree.js';

/**
 * Needles of a detection: lower-case printable-ASCII texts, one of which every event the
 * detection matches holds in some field value. A scan may skip building an event none of
 * whose texts (parsers/evtx recordProbeText) contains one: the detection cannot match it.
 * Undefined when no such set is known, and then nothing is skipped.
 *
 * Why that is safe: a string test (exact, contains, startswith, endswith, with wildcards)
 * matches only values that contain each literal run of its pattern, so the longest run is a
 * needle; Sigma compares case-insensitively, and a value holds the lower-case needle in its
 * lower-case form whenever it holds the needle in any case. Only plain field tests give
 * needles: not keyword searches and not `Message`, which can be a rendered text of several
 * values; not regexes, CIDRs, comparisons, field references, `exists` or null values.
 * A selection needs the needles of any one of its items (all must match); a list of
 * selections, the needles of all of them (any may match); `not` gives none.
 */
export type Needles = readonly string[] | undefined;

/** Fields whose value can be a text made of several values (see EventView.get). */
const COMPOSED_FIELDS = new Set(['', 'Message']);

/** Any piece of a literal run is a needle too; printable ASCII lower-cases the same everywhere. */
const PRINTABLE_ASCII_RUNS = /[\x20-\x7e]+/g;

/** The detection's needles under `mapField`, or undefined. */
export function detectionNeedles(node: YNode | undefined, mapField: (f: string) => string): Needles {
  if (node?.kind !== 'map') return undefined;
  const cond = node.entries.find((e) => e.key === 'condition')?.value;
  const texts = cond?.kind === 'scalar' ? [cond.value] : cond?.kind === 'seq' ? cond.items.map((i) => (i.kind === 'scalar' ? i.value : null)) : [];
  if (texts.length === 0 || !texts.every((t): t is string => typeof t === 'string')) return undefined;
  const sels = new Map(node.entries.filter((e) => e.key !== 'condition').map((e) => [e.key, e.value]));
  const cache = new Map<string, Needles>();
  const sel = (name: string): Needles => {
    if (!cache.has(name)) cache.set(name, selectionNeedles(sels.get(name), mapField));
    return cache.get(name);
  };
  try {
    return union(texts.map((t) => conditionNeedles(parseCondition(t, [...sels.keys()]), sel)));
  } catch {
    return undefined; // compileDetection reports the error
  }
}

function conditionNeedles(ast: ConditionNode, sel: (name: string) => Needles): Needles {
  switch (ast.op) {
    case 'id':
      return sel(ast.name);
    case 'not':
      return undefined;
    case 'and':
      return best(ast.args.map((a) => conditionNeedles(a, sel)));
    case 'or':
      return union(ast.args.map((a) => conditionNeedles(a, sel)));
    case 'of':
      return ast.count === 'all' ? best(ast.names.map(sel)) : union(ast.names.map(sel));
  }
}

function selectionNeedles(node: YNode | undefined, mapField: (f: string) => string): Needles {
  if (node?.kind === 'map') return best(node.entries.map((e) => itemNeedles(e.key, e.value, mapField)));
  if (node?.kind === 'seq' && node.items.length > 0 && node.items.every((i) => i.kind === 'map')) return union(node.items.map((i) => selectionNeedles(i, mapField)));
  return undefined; // keywords
}

function itemNeedles(key: string, node: YNode, mapField: (f: string) => string): Needles {
  const { field, modifiers } = parseFieldKey(key);
  if (COMPOSED_FIELDS.has(field) || COMPOSED_FIELDS.has(mapField(field))) return undefined;
  const transforms: string[] = [];
  let all = false;
  for (const m of modifiers) {
    const family = MODIFIER_FAMILY[m];
    if (family === 'transform') transforms.push(m);
    else if (family === 'list') all = true;
    else if (family !== 'mode' && family !== 'case') return undefined;
  }
  const values = node.kind === 'scalar' ? [node.value] : node.kind === 'seq' ? node.items.map((i) => (i.kind === 'scalar' ? i.value : null)) : [];
  if (values.length === 0) return undefined;
  const perValue: Needles[] = values.map((v) => (v === null ? undefined : valueNeedles(String(v), transforms)));
  return all ? best(perValue) : union(perValue);
}

/** The needle of each form of one rule value after its transforms (base64, windash, ...). */
function valueNeedles(raw: string, transforms: readonly string[]): Needles {
  let forms: TValue[] = [{ raw }];
  try {
    for (const t of transforms) {
      forms = forms.flatMap(TRANSFORMS[t] as (v: TValue) => TValue[]);
      if (forms.length > MAX_EXPANDED_VALUES) return undefined;
    }
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const f of forms) {
    let longest = '';
    for (const tok of parseSigmaString(f.raw).tokens) {
      if (typeof tok !== 'string') continue;
      for (const run of tok.match(PRINTABLE_ASCII_RUNS) ?? []) if (run.length > longest.length) longest = run;
    }
    if (!longest) return undefined;
    out.push(longest.toLowerCase());
  }
  return out;
}

/** Any of several sets may hold: every needle of all of them. */
function union(sets: readonly Needles[]): Needles {
  const out = new Set<string>();
  for (const s of sets) {
    if (s === undefined) return undefined;
    for (const n of s) out.add(n);
  }
  return out.size > 0 ? [...out] : undefined;
}

/** All of several sets hold: the one that rules out most (longest shortest needle, then fewest). */
function best(sets: readonly Needles[]): Needles {
  let pick: readonly string[] | undefined;
  let score = -1;
  for (const s of sets) {
    if (s === undefined || s.length === 0) continue;
    const shortest = Math.min(...s.map((n) => n.length));
    if (shortest > score || (shortest === score && pick !== undefined && s.length < pick.length)) {
      pick = s;
      score = shortest;
    }
  }
  return pick;
}
