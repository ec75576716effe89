/**
 * `SigmaString`: a rule value with its wildcards kept as tokens (pySigma `types.py`).
 * Sigma spec: `*` any run, `?` one character; a backslash escapes `*`, `?` and `\`; a
 * backslash before anything else is a literal backslash (so `C:\Windows\` needs no escaping).
 */

export const ANY = 0 as const;
export const ONE = 1 as const;
export type Wildcard = typeof ANY | typeof ONE;
export type SigmaToken = string | Wildcard;

export interface SigmaString {
  readonly tokens: readonly SigmaToken[];
}

export function parseSigmaString(raw: string): SigmaString {
  const tokens: SigmaToken[] = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else lit += c;
    } else if (c === '*' || c === '?') {
      if (lit) tokens.push(lit);
      lit = '';
      tokens.push(c === '*' ? ANY : ONE);
    } else lit += c;
  }
  if (lit) tokens.push(lit);
  return { tokens };
}

/** Escapes plain text so that `parseSigmaString` returns it unchanged (no wildcards). */
export function escapeSigma(plain: string): string {
  return plain.replace(/[\\*?]/g, (c) => `\\${c}`);
}

export function hasWildcards(s: SigmaString): boolean {
  return s.tokens.some((t) => typeof t !== 'string');
}

/** The literal text when the string has no wildcards. */
export function plainText(s: SigmaString): string | undefined {
  return hasWildcards(s) ? undefined : s.tokens.join('');
}

export type MatchMode = 'exact' | 'contains' | 'startswith' | 'endswith';

/** A compiled string test: `raw` is the event value, `lower` its lower-case form. */
export type StringTest = (raw: string, lower: string) => boolean;

const RE_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/**
 * Compiles a Sigma string with a match mode into one test. Simple shapes use string
 * operations; inner wildcards compile once to an anchored RegExp. Case-insensitive unless
 * `cased` (Sigma's default), by comparing lower-case forms.
 */
export function compileStringTest(s: SigmaString, mode: MatchMode, cased: boolean): StringTest {
  const tokens: SigmaToken[] = [...s.tokens];
  if (mode === 'contains' || mode === 'endswith') {
    if (tokens[0] !== ANY) tokens.unshift(ANY);
  }
  if (mode === 'contains' || mode === 'startswith') {
    if (tokens[tokens.length - 1] !== ANY) tokens.push(ANY);
  }
  // Collapse runs of ANY.
  const t: SigmaToken[] = [];
  for (const tok of tokens) if (!(tok === ANY && t[t.length - 1] === ANY)) t.push(tok);
  const norm = (x: string): string => (cased ? x : x.toLowerCase());
  const lead = t[0] === ANY;
  const trail = t.length > 1 && t[t.length - 1] === ANY;
  const inner = t.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (inner.every((x) => typeof x === 'string')) {
    const lit = norm(inner.join(''));
    if (t.length === 1 && lead) return () => true; // a lone '*': any value
    if (lead && trail) return cased ? (raw) => raw.includes(lit) : (_r, lower) => lower.includes(lit);
    if (lead) return cased ? (raw) => raw.endsWith(lit) : (_r, lower) => lower.endsWith(lit);
    if (trail) return cased ? (raw) => raw.startsWith(lit) : (_r, lower) => lower.startsWith(lit);
    return cased ? (raw) => raw === lit : (_r, lower) => lower === lit;
  }
  let src = '^';
  for (const tok of t) {
    if (tok === ANY) src += '[\\s\\S]*';
    else if (tok === ONE) src += '[\\s\\S]';
    else src += norm(tok).replace(RE_SPECIAL, '\\$&');
  }
  src += '$';
  const re = new RegExp(src);
  return cased ? (raw) => re.test(raw) : (_r, lower) => re.test(lower);
}
