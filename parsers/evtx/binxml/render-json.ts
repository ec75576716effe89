import type { JsonObject, JsonValue } from '../../common/event.js';
import type { RElement, RNode, Value } from './model.js';
import { isEmptyValue, isJsonNumberType, valueText } from './value-text.js';

/**
 * Resolved tree → the JSON object evtx_dump (Rust evtx crate) writes for a record
 * (omerbenamram `ir_json.rs`). Rules:
 * - an element without element children, text or non-empty attributes is `null`;
 * - with text only: the text (a JSON number/boolean when it is one integer/bool value);
 * - otherwise an object: `#attributes` (non-empty ones), `#text`, then child elements,
 *   repeated names suffixed `_1`, `_2`, ...;
 * - inside `EventData`/`UserData`: when any `Data` child has a non-empty `Name`, the `Data`
 *   children become `Name: value` pairs (`""` when empty); else all `Data` children become one
 *   `"Data": {"#text": value | [values]}` at the first one's position.
 * Where evtx_dump writes a duplicate JSON key (two `Data` with the same `Name`), the object
 * model cannot hold both, so the later one gets the `_1` suffix (documented deviation).
 * Integers beyond ±2^53 become decimal strings (JavaScript numbers would round them).
 */

function isText(n: RNode): n is Value {
  return n.k === 0;
}

function hasText(nodes: readonly RNode[]): boolean {
  for (const n of nodes) if (n.k === 0 && !isEmptyValue(n)) return true;
  return false;
}

function hasElementChild(el: RElement): boolean {
  for (const n of el.children) if (n.k === 1) return true;
  return false;
}

function jsonScalar(v: Value): JsonValue {
  if (typeof v.v === 'bigint') return v.v.toString();
  return v.v as number | boolean;
}

/** A single integer/bool value → number/boolean; else the concatenated text. */
function contentValue(nodes: readonly RNode[]): JsonValue {
  let single: Value | undefined;
  let count = 0;
  for (const n of nodes) {
    if (n.k !== 0 || isEmptyValue(n)) continue;
    single = n;
    count++;
  }
  if (count === 1 && single && isJsonNumberType(single.t) && !Array.isArray(single.v)) return jsonScalar(single);
  let s = '';
  for (const n of nodes) if (isText(n)) s += valueText(n, 'json');
  return s;
}

function nameAttr(el: RElement): Value[] | undefined {
  for (const a of el.attrs) if (a.name === 'Name') return a.value;
  return undefined;
}

function setUnique(obj: JsonObject, key: string, value: JsonValue): void {
  if (!(key in obj)) {
    obj[key] = value;
    return;
  }
  for (let i = 1; ; i++) {
    const k = `${key}_${i}`;
    if (!(k in obj)) {
      obj[k] = value;
      return;
    }
  }
}

function dataValue(el: RElement): JsonValue {
  const hasEl = hasElementChild(el);
  if (!hasEl && !hasText(el.children)) return '';
  return hasEl ? body(el, false) : contentValue(el.children);
}

function isContainer(name: string): boolean {
  return name === 'EventData' || name === 'UserData';
}

export function elementValue(el: RElement, container: boolean): JsonValue {
  const text = hasText(el.children);
  let attrText = false;
  for (const a of el.attrs) if (hasText(a.value)) attrText = true;
  const hasEl = hasElementChild(el);
  if (!hasEl && !text && !attrText) return null;
  if (!hasEl && !attrText) return contentValue(el.children);
  return body(el, container);
}

function body(el: RElement, inDataContainer: boolean): JsonObject {
  const obj: JsonObject = {};
  let attrs: JsonObject | undefined;
  for (const a of el.attrs) {
    if (!hasText(a.value)) continue;
    attrs ??= {};
    attrs[a.name] = contentValue(a.value);
  }
  if (attrs) obj['#attributes'] = attrs;
  if (hasText(el.children)) obj['#text'] = contentValue(el.children);

  let flatten = false;
  let positional = 0;
  if (inDataContainer) {
    for (const c of el.children) {
      if (c.k !== 1 || c.name !== 'Data') continue;
      positional++;
      const na = nameAttr(c);
      if (na && hasText(na)) flatten = true;
    }
  }
  let positionalDone = false;
  const counts = new Map<string, number>();
  for (const c of el.children) {
    if (c.k !== 1) continue;
    if (inDataContainer && c.name === 'Data') {
      if (flatten) {
        const na = nameAttr(c);
        if (!na || !hasText(na)) continue;
        let key = '';
        for (const v of na) key += valueText(v, 'json');
        setUnique(obj, key, dataValue(c));
      } else if (!positionalDone) {
        positionalDone = true;
        const text: JsonValue = positional === 1 ? dataValue(c) : el.children.filter((x): x is RElement => x.k === 1 && x.name === 'Data').map(dataValue);
        setUnique(obj, 'Data', { '#text': text });
      }
      continue;
    }
    const seen = counts.get(c.name) ?? 0;
    counts.set(c.name, seen + 1);
    setUnique(obj, seen === 0 ? c.name : `${c.name}_${seen}`, elementValue(c, isContainer(c.name)));
  }
  return obj;
}

/** The record's JSON object: `{ [rootName]: value }` (normally `{ "Event": {...} }`). */
export function renderTreeJson(root: RElement): JsonObject {
  return { [root.name]: elementValue(root, false) };
}
