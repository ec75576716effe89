import { MODIFIER_FAMILY, REJECTED_MODIFIERS, TRANSFORMS, type TValue } from './modifiers/index.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from './modifiers/net.js';
import { compileStringTest, parseSigmaString, type MatchMode, type StringTest } from './sigma-string.js';
import { RuleCompileError } from './types.js';
import type { EvalContext, Predicate, StringValues } from './eval-context.js';
import type { YNode } from './yaml-tree.js';
import { MAX_EXPANDED_VALUES } from './limits.js';

type RuleScalar = string | boolean | null;

/** Parsed `Field|mod1|mod2` key. An empty field means keyword search. */
export interface FieldSpec {
  field: string;
  modifiers: string[];
}

export function parseFieldKey(key: string): FieldSpec {
  const [field, ...modifiers] = key.split('|');
  return { field: field ?? '', modifiers };
}

function ruleValues(node: YNode, at: (string | number)[]): RuleScalar[] {
  if (node.kind === 'scalar') return [node.value];
  if (node.kind === 'seq') {
    if (node.items.length === 0) throw new RuleCompileError('invalid-rule', 'empty value list', at);
    return node.items.map((it, i) => {
      if (it.kind !== 'scalar') throw new RuleCompileError('invalid-rule', 'nested lists or maps as field values', [...at, i]);
      return it.value;
    });
  }
  throw new RuleCompileError('invalid-rule', 'a map as a field value', at);
}

/** Tests one value source (a field, or the keyword set) against one compiled test. */
type ValueTest = (vals: StringValues, ctx: EvalContext) => boolean;

function anyString(test: StringTest): ValueTest {
  return (vals) => {
    for (let i = 0; i < vals.raw.length; i++) if (test(vals.raw[i] as string, vals.lower[i] as string)) return true;
    return false;
  };
}

function compileRegex(pattern: string, flags: Set<string>, at: (string | number)[]): RegExp {
  let src = pattern;
  const f = new Set(flags);
  // A leading inline flag group such as (?i) (PCRE) becomes a JS flag.
  const inline = /^\(\?([ims]+)\)/.exec(src);
  if (inline) {
    for (const c of inline[1] as string) f.add(c);
    src = src.slice(inline[0].length);
  }
  try {
    return new RegExp(src, [...f].sort().join(''));
  } catch (e) {
    throw new RuleCompileError('regex', `regular expression not supported by JavaScript: ${(e as Error).message}`, at);
  }
}

const toNumber = (s: string): number | undefined => {
  if (!/^\s*-?(0x[0-9a-f]+|\d+(\.\d+)?)\s*$/i.test(s)) return undefined;
  const n = Number(s.trim());
  return Number.isFinite(n) ? n : undefined;
};

/** Relative evaluation cost of a field item, to test cheap items of a selection first. */
const MODE_COST: Record<MatchMode, number> = { exact: 1, startswith: 2, endswith: 2, contains: 4 };

/**
 * Estimated cost of an item: per-value cost of its match kind times the number of values
 * (keyword searches scan every payload value). Only orders AND-ed items; never changes results.
 */
export function fieldItemCost(key: string, node: YNode): number {
  const { field, modifiers } = parseFieldKey(key);
  const n = node.kind === 'seq' ? node.items.length : 1;
  let per = 1;
  for (const m of modifiers) {
    if (m === 're') per = Math.max(per, 16);
    else if (m === 'base64offset' || m === 'windash') per = Math.max(per, 12);
    else if (m in MODE_COST) per = Math.max(per, MODE_COST[m as MatchMode]);
    else if (m === 'cidr' || m === 'fieldref') per = Math.max(per, 6);
  }
  return (field === '' ? 64 : 1) * per * n;
}

/**
 * Compiles one `Field|modifiers: value(s)` item of a selection into a predicate.
 * `mapField` maps a Sigma field to the logsource's name for it.
 */
export function compileFieldItem(key: string, node: YNode, mapField: (f: string) => string, at: (string | number)[]): Predicate {
  const { field: sigmaField, modifiers } = parseFieldKey(key);
  const field = sigmaField === '' ? '' : mapField(sigmaField);
  const transforms: string[] = [];
  let mode: MatchMode = 'exact';
  let all = false;
  let cased = false;
  let type: string | undefined;
  const reFlags = new Set<string>();
  for (const m of modifiers) {
    const rejected = REJECTED_MODIFIERS[m];
    if (rejected) throw new RuleCompileError('unsupported-modifier', rejected, at);
    const fam = MODIFIER_FAMILY[m];
    if (!fam) throw new RuleCompileError('unsupported-modifier', `unknown modifier '${m}'`, at);
    if (fam === 'transform') transforms.push(m);
    else if (fam === 'mode') {
      if (mode !== 'exact') throw new RuleCompileError('unsupported-modifier', `'${m}' combined with '${mode}'`, at);
      mode = m as MatchMode;
    } else if (fam === 'list') all = true;
    else if (fam === 'case') cased = true;
    else if (fam === 'reflag') {
      if (type !== 're') throw new RuleCompileError('unsupported-modifier', `regex flag '${m}' without 're'`, at);
      reFlags.add(m[0] as string);
    } else {
      if (type) throw new RuleCompileError('unsupported-modifier', `'${m}' combined with '${type}'`, at);
      type = m;
    }
  }
  if (type && type !== 'fieldref' && (mode !== 'exact' || transforms.length)) {
    throw new RuleCompileError('unsupported-modifier', `'${type}' combined with ${[mode, ...transforms].filter((x) => x !== 'exact').join(', ')}`, at);
  }
  if (type === 'fieldref' && transforms.length) throw new RuleCompileError('unsupported-modifier', `'fieldref' with ${transforms.join(', ')}`, at);
  const values = ruleValues(node, at);
  const source = (ctx: EvalContext): StringValues | undefined => (field === '' ? ctx.keywords() : ctx.strings(field));
  if (field === '' && (type === 'exists' || type === 'fieldref')) {
    throw new RuleCompileError('invalid-rule', `'${type}' needs a field name`, at);
  }

  if (type === 'exists') {
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new RuleCompileError('invalid-rule', "'exists' takes true or false", at);
    const want = values[0];
    return (ctx) => (ctx.get(field) !== undefined) === want;
  }

  // Keyword searches are substring searches over every payload value.
  const effMode: MatchMode = field === '' && mode === 'exact' && !type ? 'contains' : mode;

  const tests: ValueTest[] = values.map((v, i): ValueTest => {
    const vat = node.kind === 'seq' ? [...at, i] : at;
    if (v === null) {
      if (type) throw new RuleCompileError('invalid-rule', `null value with '${type}'`, vat);
      return (vals) => vals.raw.every((s) => s === '');
    }
    const text = typeof v === 'boolean' ? String(v) : v;
    switch (type) {
      case 're': {
        const re = compileRegex(text, reFlags, vat);
        // Sigma: `re` is case-sensitive unless the `i` flag is given.
        return (vals) => {
          for (const s of vals.raw) {
            re.lastIndex = 0;
            if (re.test(s)) return true;
          }
          return false;
        };
      }
      case 'cidr': {
        const c: Cidr | undefined = parseCidr(text);
        if (!c) throw new RuleCompileError('invalid-rule', `not a CIDR network: '${text}'`, vat);
        return (vals) =>
          vals.raw.some((s) => {
            const ip = parseIp(s);
            return ip !== undefined && cidrContains(c, ip);
          });
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const n = toNumber(text);
        if (n === undefined) throw new RuleCompileError('invalid-rule', `'${type}' needs a number, got '${text}'`, vat);
        const cmp = type === 'gt' ? (x: number) => x > n : type === 'gte' ? (x: number) => x >= n : type === 'lt' ? (x: number) => x < n : (x: number) => x <= n;
        return (vals) =>
          vals.raw.some((s) => {
            const x = toNumber(s);
            return x !== undefined && cmp(x);
          });
      }
      case 'fieldref': {
        const other = mapField(text);
        return (vals, ctx) => {
          const o = ctx.strings(other);
          if (!o) return false;
          for (let a = 0; a < vals.raw.length; a++) {
            for (let b = 0; b < o.raw.length; b++) {
              const x = cased ? (vals.raw[a] as string) : (vals.lower[a] as string);
              const y = cased ? (o.raw[b] as string) : (o.lower[b] as string);
              if (effMode === 'exact' ? x === y : effMode === 'contains' ? x.includes(y) : effMode === 'startswith' ? x.startsWith(y) : x.endsWith(y)) return true;
            }
          }
          return false;
        };
      }
      default: {
        let variants: TValue[] = [{ raw: text }];
        for (const t of transforms) {
          const fn = TRANSFORMS[t] as (v: TValue) => TValue[];
          try {
            variants = variants.flatMap(fn);
          } catch (e) {
            if (e instanceof RuleCompileError) throw new RuleCompileError(e.code, e.message, vat);
            throw e;
          }
          if (variants.length > MAX_EXPANDED_VALUES) throw new RuleCompileError('unsupported-feature', 'modifier expansion too large', vat);
        }
        const sts = variants.map((x) => compileStringTest(parseSigmaString(x.raw), effMode, cased));
        if (sts.length === 1) return anyString(sts[0] as StringTest);
        const each = sts.map(anyString);
        return (vals, ctx) => each.some((t) => t(vals, ctx));
      }
    }
  });

  if (all) {
    return (ctx) => {
      const vals = source(ctx);
      if (!vals) return false;
      for (const t of tests) if (!t(vals, ctx)) return false;
      return true;
    };
  }
  const hasNull = values.includes(null);
  if (tests.length === 1) {
    const t = tests[0] as ValueTest;
    return hasNull
      ? (ctx) => {
          const vals = source(ctx);
          return vals === undefined || t(vals, ctx);
        }
      : (ctx) => {
          const vals = source(ctx);
          return vals !== undefined && t(vals, ctx);
        };
  }
  return (ctx) => {
    const vals = source(ctx);
    if (!vals) return hasNull;
    for (const t of tests) if (t(vals, ctx)) return true;
    return false;
  };
}
