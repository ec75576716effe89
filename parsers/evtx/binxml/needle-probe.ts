import type { ByteReader } from '../../common/index.js';
import type { AnsiDecoder, TElement, Template, TNode, Value } from './model.js';
import { decodeRawValue, type RawInstance } from './raw-instance.js';
import { VALUE_TYPE } from './tokens.js';
import { valueText } from './value-text.js';

/**
 * Whether a record's event may hold one of `needles` (lower-case printable-ASCII texts) in
 * the lower-case form of some value, read from its template instance without building the
 * event: false only when no substitution value and no fixed text of its templates (an
 * attribute value or element text written in the template, such as a Security event's
 * provider name) holds one. A caller that needs a record only if some field holds a needle
 * can skip it then.
 *
 * UTF-16 strings are searched in their bytes, a code unit matching a needle's letter in
 * either case; U+0130 and U+212A also match `i` and `k`, the only characters outside ASCII
 * whose lower-case form holds an ASCII character. Other values are searched as the JSON
 * renderer writes them, but only for needles such a value can hold (digits, hex, times...).
 *
 * The answer holds only where every element's text and every attribute's value is one piece:
 * the renderer joins the pieces of an element (`<Data>%1 and %2</Data>` is one value), and a
 * needle may span two. For a template that joins pieces, or holds a template instance in its
 * body, there is no answer (undefined).
 */
export function recordMayHold(inst: RawInstance, r: ByteReader, ansi: AnsiDecoder, needles: readonly string[]): boolean | undefined {
  const rendered = needles.filter((n) => RENDERED_ONLY.test(n));
  return instanceMayHold(inst, r, ansi, needles, rendered);
}

/** Every character a value that is not a string can render as, lower-cased. */
const RENDERED_ONLY = /^[0-9a-fxstz:.+\-inyrul]+$/;

function instanceMayHold(inst: RawInstance, r: ByteReader, ansi: AnsiDecoder, needles: readonly string[], rendered: readonly string[]): boolean | undefined {
  const fixed = inst.template === undefined ? null : templateText(inst.template);
  if (fixed === null) return undefined;
  if (needles.some((n) => fixed.includes(n))) return true;
  const b = r.bytes;
  for (let i = 0; i < inst.count; i++) {
    const t = inst.t[i] as number;
    if (t === 0) continue;
    const nested = inst.nested[i];
    if (nested === null) continue;
    if (nested !== undefined) {
      const held = instanceMayHold(nested, r, ansi, needles, rendered);
      if (held !== false) return held;
      continue;
    }
    if (t === VALUE_TYPE.string && inst.dec[i] === undefined) {
      const off = inst.off[i] as number;
      const end = off + ((inst.size[i] as number) & ~1);
      for (const n of needles) if (utf16Holds(b, off, end, n)) return true;
      continue;
    }
    const isText = t === VALUE_TYPE.ansiString || (t & 0x80) !== 0 || inst.dec[i] !== undefined;
    if (!isText && rendered.length === 0) continue;
    const v = decodeRawValue(inst, i, r, ansi) as Value;
    const text = (valueText(v, 'json') + (typeof v.v !== 'string' && typeof v.v !== 'object' ? `\u0000${String(v.v)}` : '')).toLowerCase();
    for (const n of isText ? needles : rendered) if (text.includes(n)) return true;
  }
  return false;
}

/** A UTF-16LE text in `b[off..end)` holds needle `n` (lower-case ASCII) in its lower-case form. */
function utf16Holds(b: Uint8Array, off: number, end: number, n: string): boolean {
  const len = n.length;
  const last = end - 2 * len;
  const first = n.charCodeAt(0);
  for (let p = off; p <= last; p += 2) {
    if (!unitIs(b[p] as number, b[p + 1] as number, first)) continue;
    let k = 1;
    while (k < len && unitIs(b[p + 2 * k] as number, b[p + 2 * k + 1] as number, n.charCodeAt(k))) k++;
    if (k === len) return true;
  }
  return false;
}

/** The code unit `lo | hi << 8` lower-cases to (or, for U+0130, starts with) `c`. */
function unitIs(lo: number, hi: number, c: number): boolean {
  if (hi === 0) return lo === c || (c >= 0x61 && c <= 0x7a && lo === c - 0x20);
  return (c === 0x69 && hi === 0x01 && lo === 0x30) || (c === 0x6b && hi === 0x21 && lo === 0x2a);
}

/** The fixed text of each template, lower-cased, or null when the template joins pieces. */
const fixedText = new WeakMap<Template, string | null>();

function templateText(t: Template): string | null {
  let s = fixedText.get(t);
  if (s === undefined) {
    const parts: string[] = [];
    s = contentText(t.nodes, parts) ? parts.join('\u0000').toLowerCase() : null;
    fixedText.set(t, s);
  }
  return s;
}

/** Collects the fixed text of `nodes` (an element's content); false when two pieces would join. */
function contentText(nodes: readonly TNode[], parts: string[]): boolean {
  let pieces = 0;
  for (const n of nodes) {
    if (n.k === 1) {
      if (!elementText(n, parts)) return false;
    } else if (n.k === 0) {
      pieces++;
      parts.push(valueText(n, 'json'));
    } else if (n.k === 2) pieces++;
    else return false;
  }
  return pieces <= 1;
}

function elementText(el: TElement, parts: string[]): boolean {
  for (const a of el.attrs) {
    let pieces = 0;
    for (const n of a.value) {
      if (n.k === 0) parts.push(valueText(n, 'json'));
      else if (n.k !== 2) return false;
      pieces++;
    }
    if (pieces > 1) return false;
  }
  return contentText(el.children, parts);
}
