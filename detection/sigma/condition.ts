import { MAX_CONDITION_TOKENS } from './limits.js';
import { RuleCompileError } from './types.js';

/**
 * Sigma condition expressions: `and`, `or`, `not`, parentheses, `1 of x*`, `N of x*`,
 * `all of x*`, `1 of them`, `all of them`. Precedence (Sigma spec): not > and > or.
 * Parsed once per rule into an AST; the deprecated `| count()` aggregation is rejected.
 */
export type ConditionNode = { op: 'id'; name: string } | { op: 'not'; arg: ConditionNode } | { op: 'and' | 'or'; args: ConditionNode[] } | { op: 'of'; count: number | 'all'; names: string[] };

type Tok = { t: 'lp' } | { t: 'rp' } | { t: 'word'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') out.push({ t: 'lp' });
    else if (c === ')') out.push({ t: 'rp' });
    else if (c === '|') throw new RuleCompileError('unsupported-feature', "aggregation expressions ('| count() ...') are deprecated; use a correlation rule", ['detection', 'condition']);
    else {
      const m = /^[A-Za-z0-9_*.-]+/.exec(src.slice(i));
      if (!m) throw new RuleCompileError('condition', `unexpected character '${c}' in condition`, ['detection', 'condition']);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
      if (out.length > MAX_CONDITION_TOKENS) throw new RuleCompileError('condition', 'condition too long', ['detection', 'condition']);
      continue;
    }
    i++;
  }
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all']);

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/**
 * Parses a condition against the detection's identifiers. Unknown identifiers and `x of`
 * patterns that match nothing are errors.
 */
export function parseCondition(src: string, identifiers: readonly string[]): ConditionNode {
  const err = (msg: string): RuleCompileError => new RuleCompileError('condition', `${msg} in condition '${src}'`, ['detection', 'condition']);
  const toks = tokenize(src);
  let p = 0;
  const peekWord = (): string | undefined => {
    const t = toks[p];
    return t?.t === 'word' ? t.v.toLowerCase() : undefined;
  };
  const parseOr = (): ConditionNode => {
    const args = [parseAnd()];
    while (peekWord() === 'or') {
      p++;
      args.push(parseAnd());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { op: 'or', args };
  };
  const parseAnd = (): ConditionNode => {
    const args = [parseNot()];
    while (peekWord() === 'and') {
      p++;
      args.push(parseNot());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { op: 'and', args };
  };
  const parseNot = (): ConditionNode => {
    if (peekWord() === 'not') {
      p++;
      return { op: 'not', arg: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const t = toks[p];
    if (!t) throw err('unexpected end');
    if (t.t === 'lp') {
      p++;
      const inner = parseOr();
      if (toks[p]?.t !== 'rp') throw err("missing ')'");
      p++;
      return inner;
    }
    if (t.t === 'rp') throw err("unexpected ')'");
    const w = t.v;
    const next = toks[p + 1];
    if (next?.t === 'word' && next.v.toLowerCase() === 'of') {
      const lw = w.toLowerCase();
      let count: number | 'all';
      if (lw === 'all') count = 'all';
      else if (lw === 'any') count = 1;
      else if (/^\d+$/.test(w) && Number(w) >= 1) count = Number(w);
      else throw err(`'${w} of' is not a quantifier`);
      const target = toks[p + 2];
      if (target?.t !== 'word') throw err("missing target after 'of'");
      p += 3;
      let names: string[];
      if (target.v.toLowerCase() === 'them') names = identifiers.filter((n) => !n.startsWith('_'));
      else {
        const re = globToRegExp(target.v);
        names = identifiers.filter((n) => re.test(n));
      }
      if (names.length === 0) throw err(`'${target.v}' matches no selection`);
      return { op: 'of', count, names };
    }
    if (KEYWORDS.has(w.toLowerCase())) throw err(`unexpected '${w}'`);
    if (w.includes('*')) throw err(`wildcard '${w}' outside 'x of'`);
    if (!identifiers.includes(w)) throw err(`unknown selection '${w}'`);
    p++;
    return { op: 'id', name: w };
  };
  const ast = parseOr();
  if (p !== toks.length) throw err('trailing tokens');
  return ast;
}

/** Every identifier the condition refers to. */
export function conditionIdentifiers(node: ConditionNode, out = new Set<string>()): Set<string> {
  if (node.op === 'id') out.add(node.name);
  else if (node.op === 'not') conditionIdentifiers(node.arg, out);
  else if (node.op === 'of') for (const n of node.names) out.add(n);
  else for (const a of node.args) conditionIdentifiers(a, out);
  return out;
}

/** Evaluates the AST with a lookup of selection results (each selection evaluated at most once). */
export function compileCondition<C>(node: ConditionNode, sel: (name: string) => (ctx: C) => boolean): (ctx: C) => boolean {
  switch (node.op) {
    case 'id':
      return sel(node.name);
    case 'not': {
      const a = compileCondition(node.arg, sel);
      return (c) => !a(c);
    }
    case 'and': {
      const as = node.args.map((x) => compileCondition(x, sel));
      const n = as.length;
      return (c) => {
        for (let i = 0; i < n; i++) if (!(as[i] as (ctx: C) => boolean)(c)) return false;
        return true;
      };
    }
    case 'or': {
      const as = node.args.map((x) => compileCondition(x, sel));
      const n = as.length;
      return (c) => {
        for (let i = 0; i < n; i++) if ((as[i] as (ctx: C) => boolean)(c)) return true;
        return false;
      };
    }
    case 'of': {
      const fs = node.names.map(sel);
      if (node.count === 'all') return (c) => fs.every((f) => f(c));
      const need = node.count;
      return (c) => {
        let n = 0;
        for (const f of fs) if (f(c) && ++n >= need) return true;
        return false;
      };
    }
  }
}
