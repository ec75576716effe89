/**
 * Context-aware HTML escaping for the report. Every string in an
 * `AnalysisResult` may be attacker-controlled (login names, DLL paths, event data), so:
 *
 * - `html\`...\`` escapes every interpolation for HTML text/attribute-value context
 *   (`& < > " '` become entities) and makes invisible or direction-changing characters
 *   visible; only `SafeHtml` values (from `html`, `raw()` or `attr()`) pass through as is;
 * - `safeUrl()` lets only http(s) and relative URLs through (else `#`);
 * - `jsonForScript()` produces text safe inside `<script type="application/json">`.
 *
 * Attribute values must always be written double-quoted in templates: `title="${x}"`.
 */

/** HTML that has already been escaped or is trusted template text. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** Marks trusted markup (template constants only, never evidence). */
export function raw(value: string): SafeHtml {
  return new SafeHtml(value);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/**
 * Characters that hide or reorder text: C0/C1 controls (except TAB and LF), bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks (U+200E, U+200F, U+061C),
 * zero-width characters, line/paragraph separators, the BOM and the Unicode tag block lead-in
 * (U+E0001..). An RTL override in a DLL name can make `maggie\u202Elld.exe` read as
 * `maggieexe.dll`; the report shows such characters as `\u202E` markers instead.
 */
// eslint-disable-next-line no-control-regex
export const HIDDEN_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]/g;

const HIDDEN_CHAR = new RegExp(HIDDEN_CHARS.source);

/** True when `s` holds a character that `HIDDEN_CHARS` matches. */
export function hasHidden(s: string): boolean {
  return HIDDEN_CHAR.test(s);
}

/** `\u202E` style escape of one (possibly surrogate-pair) character. */
export function codePointEscape(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Replaces hidden characters by their `\uXXXX` escapes (plain-text contexts: CSV notes, Markdown, attributes). */
export function revealHidden(s: string): string {
  return s.replace(HIDDEN_CHARS, codePointEscape);
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes for HTML text and double-quoted attribute values (no control-character marking). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITY[c] ?? c);
}

/**
 * Escapes text for an HTML text node: entities, plus a visible marker element for each hidden
 * character (`<span class=cc>\u202E</span>`). The marker holds no quote character, so even
 * if a template mistakenly put it in an attribute value it could not end that value.
 */
export function escapeText(s: string): string {
  const e = escapeHtml(s);
  if (!hasHidden(e)) return e;
  return e.replace(HIDDEN_CHARS, (ch) => `<span class=cc>${codePointEscape(ch)}</span>`);
}

/** Escapes a value for a double-quoted attribute: entities, hidden characters as `\uXXXX` text. */
export function escapeAttr(s: string): string {
  return escapeHtml(revealHidden(s));
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  // Interpolations may land in text or in a quoted attribute; escapeText's marker span is
  // only valid in text, so decide by what precedes the hole (see `html`).
  return escapeText(String(v));
}

/**
 * True when the template text before a hole ends inside an open double-quoted attribute
 * value (`<a title="`, or a fragment such as ` class="`). Throws on an unquoted attribute
 * hole (`<td x=${v}>`), a template bug that escaping cannot make safe.
 */
function inAttribute(before: string): boolean {
  const lt = before.lastIndexOf('<');
  const gt = before.lastIndexOf('>');
  if (gt > lt) return false;
  const tag = lt >= 0 ? before.slice(lt) : before;
  const quotes = (tag.match(/"/g) ?? []).length;
  if (quotes % 2 === 0 && lt >= 0 && /=\s*$/.test(tag)) {
    throw new Error(`html template: unquoted attribute interpolation after ${JSON.stringify(tag.slice(-40))}`);
  }
  return quotes % 2 === 1;
}

/**
 * Tagged template: escapes every interpolation (text or double-quoted attribute, decided by
 * the template text before it); arrays are joined; `SafeHtml` passes through.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  let tail = out;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (inAttribute(tail) && !(v instanceof SafeHtml)) {
      out += v === null || v === undefined || v === false ? '' : escapeAttr(Array.isArray(v) ? v.join(' ') : String(v));
    } else {
      out += render(v);
    }
    const s = strings[i + 1] ?? '';
    out += s;
    // Attribute detection only needs the current tag: keep the text since the last '<' or '>'.
    tail = tail + (v instanceof SafeHtml ? v.value : 'x') + s;
    const cut = Math.max(tail.lastIndexOf('<'), tail.lastIndexOf('>'));
    if (cut > 0) tail = tail.slice(cut);
  }
  return new SafeHtml(out);
}

/**
 * A URL for `href`: http(s) and relative URLs pass (resolved as the browser would, with the
 * WHATWG parser, so `java\tscript:` and leading spaces are caught); anything else becomes `#`.
 */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, 'https://relative.invalid/base/');
  } catch {
    return '#';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return '#';
  if (hasHidden(url)) return '#';
  return url;
}

/**
 * JSON for a `<script type="application/json">` data block: `<`, `>` and `&` as `\u003C`-style
 * escapes (no `</script>`, no `<!--`), U+2028/U+2029 and every other hidden or bidi character
 * escaped too (the file's text never carries a raw RTL override).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c] ?? c)
    .replace(HIDDEN_CHARS, (c) => [...c].map(unitEscape).join(''));
}

/** JSON `\uXXXX` escape of each UTF-16 code unit (hidden characters stay out of the file's text). */
function unitEscape(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
  return out;
}

const SCRIPT_ESCAPES: Record<string, string> = {
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * A path or file name that may wrap only after its separators (`\`, `/`), never inside a
 * name: each part is escaped as text and a `<wbr>` follows every separator.
 */
export function breakablePath(s: string): SafeHtml {
  const parts = s.split(/(?<=[\\/])/);
  return new SafeHtml(parts.map(escapeText).join('<wbr>'));
}
