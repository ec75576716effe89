import { renderTreeJson } from './render-json.js';
import { resolveRecord } from './resolve.js';
import type { Scalar, SubstValue, TInstance, TNode, Template, Value } from './model.js';
import { VALUE_ARRAY_FLAG, VALUE_TYPE } from './tokens.js';
import { isEmptyValue, scalarText, valueText } from './value-text.js';

/**
 * Compiled JSON render plans (STYLE "Speed on the hot paths"; the idea of the Rust evtx
 * crate's `src/binxml/compiled.rs`). Most records of a file instantiate a handful of
 * templates, and a record's JSON text differs from its neighbours' only in its substitution
 * values. So, per template and per *value shape*, the record is rendered once through the
 * normal path (resolve.ts + render-json.ts + JSON.stringify) with marker values in the
 * substitution slots; the text is cut at the markers into fixed fragments and slots. A record
 * with the same template and shape is then written by filling the slots: no resolved tree,
 * no JSON object, no JSON.stringify.
 *
 * Exactness: the JSON text depends on the values only through (a) each value's type, (b)
 * whether it is null/empty, (c) for arrays, their length and which items are empty (array
 * substitutions expand into one element per item), and (d) the value text itself. (a)–(c)
 * form the shape key, so a plan is only reused where the normal path would build the same
 * structure; (d) is what the slots receive, rendered by the same `scalarText`/`valueText` and
 * escaped as JSON.stringify escapes. Where the structure itself would depend on value text
 * (a substituted `Name` attribute becomes a JSON key, with `_1` suffixes on collisions) or
 * the template's own text holds the marker characters, no plan is made and the record takes
 * the normal path. Nested Binary XML values (0x21) also take the normal path. A differential
 * test renders every corpus record both ways (test/evtx/json-plan.test.ts).
 */

/** A compiled plan: `parts[0] slot0 parts[1] slot1 ... parts[n]`. */
export interface JsonPlan {
  readonly parts: readonly string[];
  /**
   * Where each slot's value is: indexes into the substitution array, then, for a value that
   * is nested Binary XML holding one template instance, into that instance's array, ...
   */
  readonly path: readonly (readonly number[])[];
  /** Array item index of each slot, or -1 for the whole value. */
  readonly item: Int32Array;
  /** 1 where the slot is a bare JSON number/boolean (evtx_dump's typed integers), 0 for text inside a string. */
  readonly numeric: Uint8Array;
}

/** A template known by its structure: a stable id for shape keys, and its plans by shape. */
interface TemplateEntry {
  readonly id: number;
  /** `null` = this shape takes the normal path. */
  readonly plans: Map<string, JsonPlan | null>;
}

/** Shapes kept per template (array patterns could otherwise grow it without bound). */
const MAX_SHAPES_PER_TEMPLATE = 256;
/** Templates kept across chunks (by structural signature); the cache is dropped when full. */
const MAX_TEMPLATES_CACHED = 2_048;
/** Nesting of Binary XML values followed by a shape key (deeper: normal path). */
const MAX_PLAN_NESTING = 8;

// Private-use characters mark the slots while compiling. Template text containing any of them
// makes the template uncompilable (checked on the fragments), so a crafted file cannot forge
// a slot.
const TEXT_OPEN = '\uE000';
const NUM_OPEN = '\uE002';
const CLOSE = '\uE001';
const MARKER_RE = /"\uE002(\d+)\.(-?\d+)\uE001"|\uE000(\d+)\.(-?\d+)\uE001/g;
const MARKER_CHARS_RE = /[\uE000-\uE002]/;
/** Characters JSON.stringify escapes inside a string (lone surrogates included). */
const NEEDS_ESCAPE_RE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Stands in for a value while compiling. Text contexts call `toString` (String(v) in
 * value-text.ts); the typed-number context of render-json.ts hands the value itself to
 * JSON.stringify, which calls `toJSON`: the two markers tell the contexts apart.
 */
class SlotMarker {
  private readonly slot: number;
  private readonly item: number;
  constructor(slot: number, item: number) {
    this.slot = slot;
    this.item = item;
  }
  toString(): string {
    return `${TEXT_OPEN}${this.slot}.${this.item}${CLOSE}`;
  }
  toJSON(): string {
    return `${NUM_OPEN}${this.slot}.${this.item}${CLOSE}`;
  }
}

/** The single template instance a nested Binary XML value holds, if that is what it holds. */
function nestedInstance(v: SubstValue): TInstance | undefined {
  if (v.k !== 4 || v.nodes.length !== 1) return undefined;
  const n = v.nodes[0] as TNode;
  return n.k === 3 ? n : undefined;
}

/** Replaces every non-empty value (and array item) by a marker; `paths` receives their places. */
function markerValues(values: readonly SubstValue[], prefix: readonly number[], paths: number[][]): SubstValue[] {
  return values.map((v, i): SubstValue => {
    const path = [...prefix, i];
    if (v.k === 4) {
      const inst = nestedInstance(v);
      if (inst === undefined) return v; // empty fragment (shape key 'b0')
      return { k: 4, nodes: [{ k: 3, template: inst.template, values: markerValues(inst.values, path, paths) }] };
    }
    if (v.v === null || isEmptyValue(v) || (typeof v.v === 'object' && !Array.isArray(v.v))) return v;
    if (Array.isArray(v.v)) {
      const items = v.v.map((it, j): Scalar => {
        if (it === '') return '';
        paths.push(path);
        return new SlotMarker(paths.length - 1, j) as unknown as Scalar;
      });
      return { k: 0, t: v.t, v: items };
    }
    paths.push(path);
    return { k: 0, t: v.t, v: new SlotMarker(paths.length - 1, -1) as unknown as Scalar };
  });
}

function keysHoldMarkers(x: unknown, depth: number): boolean {
  if (x === null || typeof x !== 'object' || depth > 200) return false;
  if (Array.isArray(x)) return x.some((e) => keysHoldMarkers(e, depth + 1));
  for (const [k, v] of Object.entries(x)) {
    if (MARKER_CHARS_RE.test(k) || keysHoldMarkers(v, depth + 1)) return true;
  }
  return false;
}

/**
 * Compiles the plan of `template` for the shape of `values`; null when this shape must take
 * the normal path (see the module comment). Never throws: a record whose normal rendering
 * fails (limits, no element) gets null and fails on the normal path with its own error.
 */
export function compileJsonPlan(template: Template, values: readonly SubstValue[]): JsonPlan | null {
  const paths: number[][] = [];
  let text: string;
  try {
    const tree = resolveRecord([{ k: 3, template, values: markerValues(values, [], paths) }], 0);
    if (!tree) return null;
    const obj = renderTreeJson(tree);
    if (keysHoldMarkers(obj, 0)) return null;
    text = JSON.stringify(obj);
  } catch {
    return null;
  }
  const parts: string[] = [];
  const path: number[][] = [];
  const item: number[] = [];
  const numeric: number[] = [];
  let last = 0;
  for (const m of text.matchAll(MARKER_RE)) {
    const at = m.index;
    parts.push(text.slice(last, at));
    const isNum = m[1] !== undefined;
    const p = paths[Number(isNum ? m[1] : m[3])];
    if (p === undefined) return null;
    path.push(p);
    item.push(Number(isNum ? m[2] : m[4]));
    numeric.push(isNum ? 1 : 0);
    last = at + m[0].length;
  }
  parts.push(text.slice(last));
  for (const p of parts) if (MARKER_CHARS_RE.test(p)) return null;
  return { parts, path, item: Int32Array.from(item), numeric: Uint8Array.from(numeric) };
}

/** `s` as JSON string content; only string types can hold characters JSON escapes. */
function jsonEscaped(s: string, type: number): string {
  const base = type & ~VALUE_ARRAY_FLAG;
  if (base !== VALUE_TYPE.string && base !== VALUE_TYPE.ansiString) return s;
  return NEEDS_ESCAPE_RE.test(s) ? JSON.stringify(s).slice(1, -1) : s;
}

/** The value at `path` (see JsonPlan.path). */
function valueAt(values: readonly SubstValue[], path: readonly number[]): Value {
  let vals = values;
  const last = path.length - 1;
  for (let d = 0; d < last; d++) vals = (nestedInstance(vals[path[d] as number] as SubstValue) as TInstance).values;
  return vals[path[last] as number] as Value;
}

/**
 * Fills a plan with an instance's values: appends the record's JSON text (as
 * JSON.stringify(event)) to `out` in pieces (joined once per chunk: no string ropes).
 */
export function fillJsonPlan(plan: JsonPlan, values: readonly SubstValue[], out: string[]): void {
  const { parts, path, item, numeric } = plan;
  out.push(parts[0] as string);
  for (let k = 0; k < path.length; k++) {
    const v = valueAt(values, path[k] as number[]);
    const j = item[k] as number;
    if (numeric[k] === 1) {
      // render-json.ts jsonScalar: integers and booleans as they are, 64-bit integers beyond
      // ±2^53 (bigint) as a decimal string.
      const x = (j < 0 ? v.v : (v.v as Scalar[])[j]) as Scalar;
      out.push(typeof x === 'bigint' ? `"${x.toString()}"` : String(x));
    } else if (j < 0) {
      out.push(jsonEscaped(valueText(v, 'json'), v.t));
    } else {
      out.push(jsonEscaped(scalarText(v.t & ~VALUE_ARRAY_FLAG, (v.v as Scalar[])[j] as Scalar, 'json'), v.t));
    }
    out.push(parts[k + 1] as string);
  }
}

/**
 * A template's structure as an injective string (names and text length-prefixed), so the
 * same template found again in another chunk (at another offset, with other name offsets)
 * reuses its plans.
 */
export function templateSignature(nodes: readonly TNode[], depth = 0): string {
  let s = '';
  for (const n of nodes) {
    switch (n.k) {
      case 0:
        s += typeof n.v === 'string' ? `v${n.t}:${n.v.length}:${n.v}` : `v${n.t}${JSON.stringify(n.v)}`;
        break;
      case 1:
        s += `<${n.name.length}:${n.name}`;
        for (const a of n.attrs) s += `@${a.name.length}:${a.name}(${templateSignature(a.value, depth + 1)})`;
        s += `(${templateSignature(n.children, depth + 1)})`;
        break;
      case 2:
        s += `%${n.index}:${n.type}${n.optional ? '?' : ''}`;
        break;
      case 3: {
        s += `{${templateSignature(n.template.nodes, depth + 1)}|`;
        for (const v of n.values) s += v.k === 4 ? `[${templateSignature(v.nodes, depth + 1)}]` : `v${v.t}${JSON.stringify(v.v, bigintText)}`;
        s += '}';
        break;
      }
    }
  }
  return s;
}

function bigintText(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v.toString()}n` : v;
}

/** Records written through a plan / through the normal path, process-wide (tests, benchmarks). */
export const jsonPlanStats = { planned: 0, normal: 0 };

const bySignature = new Map<string, TemplateEntry>();
let nextTemplateId = 0;

/**
 * Plan cache of one chunk: templates by object (found once per chunk by signature in the
 * process-wide cache), then plans by value shape.
 */
export class JsonPlanCache {
  private readonly byTemplate = new Map<Template, TemplateEntry>();

  private entry(template: Template): TemplateEntry {
    let e = this.byTemplate.get(template);
    if (e === undefined) {
      const sig = templateSignature(template.nodes);
      e = bySignature.get(sig);
      if (e === undefined) {
        // Ids are never reused, so keys made before a clear stay unambiguous.
        if (bySignature.size >= MAX_TEMPLATES_CACHED) bySignature.clear();
        e = { id: nextTemplateId++, plans: new Map() };
        bySignature.set(sig, e);
      }
      this.byTemplate.set(template, e);
    }
    return e;
  }

  /**
   * The value shape of a substitution array (module comment: type, null/empty, array item
   * pattern; nested instances by template id and their own shape); undefined when a value is
   * nested Binary XML other than one template instance (normal path).
   */
  shapeKey(values: readonly SubstValue[], depth: number): string | undefined {
    let key = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as SubstValue;
      if (v.k === 4) {
        if (v.nodes.length === 0) {
          key += 'b0,';
          continue;
        }
        const inst = nestedInstance(v);
        if (inst === undefined || depth >= MAX_PLAN_NESTING) return undefined;
        const inner = this.shapeKey(inst.values, depth + 1);
        if (inner === undefined) return undefined;
        key += `{${this.entry(inst.template).id}|${inner}},`;
        continue;
      }
      const x = v.v;
      if (x === null) key += `${v.t}n,`;
      else if (Array.isArray(x)) {
        key += `${v.t}[`;
        for (let j = 0; j < x.length; j++) key += x[j] === '' ? '0' : '1';
        key += ',';
      } else if (x === '') key += `${v.t}e,`;
      else key += `${v.t},`;
    }
    return key;
  }

  /**
   * Appends the record's JSON text to `out` through a plan and returns true, or returns false
   * (nothing appended) when it must take the normal path.
   */
  render(template: Template, values: readonly SubstValue[], out: string[]): boolean {
    const plan = this.planFor(template, values);
    if (plan === undefined) {
      jsonPlanStats.normal++;
      return false;
    }
    jsonPlanStats.planned++;
    fillJsonPlan(plan, values, out);
    return true;
  }

  private planFor(template: Template, values: readonly SubstValue[]): JsonPlan | undefined {
    const key = this.shapeKey(values, 0);
    if (key === undefined) return undefined;
    const plans = this.entry(template).plans;
    let plan = plans.get(key);
    if (plan === undefined) {
      if (plans.size >= MAX_SHAPES_PER_TEMPLATE) return undefined;
      plan = compileJsonPlan(template, values);
      plans.set(key, plan);
    }
    return plan ?? undefined;
  }
}
