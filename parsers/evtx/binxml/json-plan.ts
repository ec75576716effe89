import type { ByteReader } from '../../common/index.js';
import { isEmptyUtf16, type ByteSink } from './json-bytes.js';
import type { AnsiDecoder, Scalar, SubstValue, TInstance, TNode, Template, Value } from './model.js';
import { decodeRawValues, type RawInstance } from './raw-instance.js';
import { renderTreeJson } from './render-json.js';
import { resolveRecord } from './resolve.js';
import { VALUE_ARRAY_FLAG, VALUE_TYPE } from './tokens.js';
import { isEmptyValue, scalarText, valueText } from './value-text.js';

/**
 * Compiled JSON render plans (the idea of the Rust evtx crate's
 * `src/binxml/compiled.rs`), so that a record costs only the decoding of its values. Most records of a file instantiate a handful of
 * templates, and a record's JSON text differs from its neighbours' only in its substitution
 * values. So, per template and per *value shape*, the record is rendered once through the
 * normal path (resolve.ts + render-json.ts + JSON.stringify) with marker values in the
 * substitution slots; the text is cut at the markers into fixed fragments and slots. A record
 * with the same template and shape is then written by filling the slots: no resolved tree,
 * no JSON object, no JSON.stringify, and (with raw-instance.ts) most values go from the chunk
 * bytes straight into the UTF-8 output (json-bytes.ts).
 *
 * Exactness: the JSON text depends on the values only through (a) each value's type, (b)
 * whether it is null/empty, (c) for arrays, their length and which items are empty (array
 * substitutions expand into one element per item), and (d) the value text itself. (a)–(c)
 * form the shape key, so a plan is only reused where the normal path would build the same
 * structure; (d) is what the slots receive, rendered as `scalarText`/`valueText` render it and
 * escaped as JSON.stringify escapes. Where the structure itself would depend on value text
 * (a substituted `Name` attribute becomes a JSON key, with `_1` suffixes on collisions) or
 * the template's own text holds the marker characters, no plan is made and the record takes
 * the normal path; so do nested Binary XML values (0x21) other than one template instance. A
 * differential test renders every corpus record both ways, byte for byte
 * (test/evtx/json-plan.test.ts).
 */

/**
 * A compiled plan: `part0 slot0 part1 slot1 ... partN`, the parts as UTF-8 back to back in
 * `text` (part k is `text[ends[k-1]..ends[k])`, one allocation per plan).
 */
export interface JsonPlan {
  readonly text: Uint8Array;
  readonly ends: Int32Array;
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

/** A compiled shape of a template: the shape codes it was made for, and its plan. */
interface ShapePlan {
  readonly shape: Int32Array;
  /** null = this shape takes the normal path. */
  readonly plan: JsonPlan | null;
}

/** A template known by its structure: a stable id for shape codes, and its plans by shape. */
interface TemplateEntry {
  readonly id: number;
  /** Plans by shape hash (candidates compared code by code). */
  readonly plans: Map<number, ShapePlan[]>;
  shapes: number;
}

/** Shapes kept per template (array patterns could otherwise grow it without bound). */
const MAX_SHAPES_PER_TEMPLATE = 256;
/** Templates kept across chunks (by structural signature); the cache is dropped when full. */
const MAX_TEMPLATES_CACHED = 2_048;
/**
 * Plans kept across chunks in all (a crafted file can make every template and shape distinct):
 * past this the cache is dropped and refills (real logs: the 256 MiB benchmark of 477 logs
 * compiles 1,024).
 */
const MAX_PLANS_CACHED = 8_192;
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
const UTF8 = new TextEncoder();

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
  const bytes = parts.map((p) => UTF8.encode(p));
  const joined = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  const ends = new Int32Array(parts.length);
  let at = 0;
  bytes.forEach((b, k) => {
    joined.set(b, at);
    at += b.length;
    ends[k] = at;
  });
  return { text: joined, ends, path, item: Int32Array.from(item), numeric: Uint8Array.from(numeric) };
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16) | ((b[o + 3] as number) << 24)) >>> 0;
}

const TWO_32 = 4294967296;
const TWO_21 = 2097152;

/** An integer value as values.ts decodes it: a number, or a bigint beyond ±(2^53 - 1). */
function rawInt(b: Uint8Array, o: number, t: number): number | bigint {
  switch (t) {
    case VALUE_TYPE.int8:
      return ((b[o] as number) << 24) >> 24;
    case VALUE_TYPE.uint8:
      return b[o] as number;
    case VALUE_TYPE.int16:
      return (((b[o] as number) | ((b[o + 1] as number) << 8)) << 16) >> 16;
    case VALUE_TYPE.uint16:
      return (b[o] as number) | ((b[o + 1] as number) << 8);
    case VALUE_TYPE.int32:
      return u32(b, o) | 0;
    case VALUE_TYPE.uint32:
      return u32(b, o);
    case VALUE_TYPE.uint64: {
      const lo = u32(b, o);
      const hi = u32(b, o + 4);
      return hi < TWO_21 ? hi * TWO_32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
    }
    default: {
      // int64
      const lo = u32(b, o);
      const hi = u32(b, o + 4) | 0;
      if (hi > -TWO_21 && hi < TWO_21) return hi * TWO_32 + lo;
      const v = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo));
      return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
    }
  }
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** Writes a slot from a decoded value (render-json.ts jsonScalar / value-text.ts valueText). */
function writeDecoded(sink: ByteSink, v: Value, j: number, numeric: boolean): void {
  if (numeric) {
    // Integers and booleans as they are, 64-bit integers beyond ±2^53 as a decimal string.
    const x = (j < 0 ? v.v : (v.v as Scalar[])[j]) as Scalar;
    sink.raw(typeof x === 'bigint' ? `"${x.toString()}"` : String(x));
  } else if (j < 0) sink.jsonText(valueText(v, 'json'));
  else sink.jsonText(scalarText(v.t & ~VALUE_ARRAY_FLAG, (v.v as Scalar[])[j] as Scalar, 'json'));
}

/**
 * Writes a slot from value `i` of `inst`: the text valueText gives for its decoded form
 * (undecoded values straight from the chunk bytes).
 */
function writeRaw(sink: ByteSink, b: Uint8Array, inst: RawInstance, i: number, j: number, numeric: boolean): void {
  const dec = inst.dec[i];
  if (dec !== undefined) {
    writeDecoded(sink, dec, j, numeric);
    return;
  }
  const o = inst.off[i] as number;
  const t = inst.t[i] as number;
  switch (t) {
    case VALUE_TYPE.string:
      sink.utf16Json(b, o, inst.size[i] as number);
      return;
    case VALUE_TYPE.guid:
      sink.guid(b, o);
      return;
    case VALUE_TYPE.filetime: {
      const lo = u32(b, o);
      const hi = u32(b, o + 4);
      // Out of the Date range filetimeJson writes nothing, and values.ts gives the hex form.
      if (!sink.filetimeJson(lo, hi)) sink.hex(hi, lo);
      return;
    }
    case VALUE_TYPE.hexInt32:
      sink.hex(0, u32(b, o));
      return;
    case VALUE_TYPE.hexInt64:
      sink.hex(u32(b, o + 4), u32(b, o));
      return;
    case VALUE_TYPE.sizeT:
      if (inst.size[i] === 4) sink.hex(0, u32(b, o));
      else sink.hex(u32(b, o + 4), u32(b, o));
      return;
    case VALUE_TYPE.sid:
      sink.sid(b, o);
      return;
    case VALUE_TYPE.binary:
      sink.hexUpper(b, o, inst.size[i] as number);
      return;
    case VALUE_TYPE.null:
      return;
    default: {
      const x = rawInt(b, o, t);
      if (typeof x === 'number') sink.int(x);
      else sink.raw(numeric ? `"${x.toString()}"` : x.toString());
    }
  }
}

/** Fills a plan with a raw instance's values: appends the record's JSON text as UTF-8. */
export function fillJsonPlan(plan: JsonPlan, inst: RawInstance, b: Uint8Array, sink: ByteSink): void {
  const { text, ends, path, item, numeric } = plan;
  sink.span(text, 0, ends[0] as number);
  for (let k = 0; k < path.length; k++) {
    const p = path[k] as number[];
    let at = inst;
    const last = p.length - 1;
    for (let d = 0; d < last; d++) at = at.nested[p[d] as number] as RawInstance;
    writeRaw(sink, b, at, p[last] as number, item[k] as number, numeric[k] === 1);
    sink.span(text, ends[k] as number, ends[k + 1] as number);
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

/** Records written through a plan / through the normal path (jsonl), process-wide (tests, benchmarks). */
export const jsonPlanStats = { planned: 0, normal: 0 };

const bySignature = new Map<string, TemplateEntry>();
let plansCached = 0;
let nextTemplateId = 0;

/**
 * Plan lookup: templates by object (found once per chunk by signature in the process-wide
 * cache), then plans by value shape. One per chunk.
 */
export class JsonPlanCache {
  /** This chunk's templates (template objects are per chunk). */
  private readonly byTemplate = new Map<Template, TemplateEntry>();

  /** Shape codes of the record being rendered (reused; a plain array: no off-heap allocation). */
  private readonly shape: number[] = [];
  private len = 0;

  private entry(template: Template): TemplateEntry {
    let e = this.byTemplate.get(template);
    if (e === undefined) {
      const sig = templateSignature(template.nodes);
      e = bySignature.get(sig);
      if (e === undefined) {
        // Ids are never reused, so shapes made before a clear stay unambiguous.
        if (bySignature.size >= MAX_TEMPLATES_CACHED) {
          bySignature.clear();
          plansCached = 0;
        }
        e = { id: nextTemplateId++, plans: new Map(), shapes: 0 };
        bySignature.set(sig, e);
      }
      this.byTemplate.set(template, e);
    }
    return e;
  }

  private push(code: number): void {
    this.shape[this.len++] = code;
  }

  /**
   * Appends the value shape of a raw substitution array as integer codes (module comment:
   * type, null/empty, array item pattern; nested instances by template id and their own
   * shape): the count, then per value `type * 4 + flag` (0 text, 1 empty, 2 null, 3 array
   * followed by its length and a 0/1 per item), -1 for an empty nested fragment, -2 and the
   * template id for a nested instance. False when nesting is too deep for a plan.
   */
  private pushShape(inst: RawInstance, b: Uint8Array, depth: number): boolean {
    const n = inst.count;
    this.push(n);
    for (let i = 0; i < n; i++) {
      const t = inst.t[i] as number;
      if (t === VALUE_TYPE.binXml) {
        const nested = inst.nested[i];
        if (nested === null || nested === undefined) {
          this.push(-1);
          continue;
        }
        if (depth >= MAX_PLAN_NESTING) return false;
        this.push(-2);
        this.push(this.entry(nested.template as Template).id);
        if (!this.pushShape(nested, b, depth + 1)) return false;
        continue;
      }
      const d = inst.dec[i];
      if (d === undefined) {
        // Undecoded: only strings can be empty; a null value has type 0.
        this.push(t === 0 ? 2 : t * 4 + (t === VALUE_TYPE.string && isEmptyUtf16(b, inst.off[i] as number, inst.size[i] as number) ? 1 : 0));
        continue;
      }
      const x = d.v;
      if (x === null) this.push(d.t * 4 + 2);
      else if (Array.isArray(x)) {
        this.push(d.t * 4 + 3);
        this.push(x.length);
        for (let j = 0; j < x.length; j++) this.push(x[j] === '' ? 0 : 1);
      } else this.push(d.t * 4 + (x === '' ? 1 : 0));
    }
    return true;
  }

  /**
   * Appends the record's JSON text (UTF-8) to `sink` through a plan and returns true, or
   * returns false (nothing appended) when it must take the normal path. `r` spans the chunk.
   */
  render(inst: RawInstance, r: ByteReader, ansi: AnsiDecoder, sink: ByteSink): boolean {
    const plan = this.planFor(inst, r, ansi);
    if (plan === undefined) return false;
    jsonPlanStats.planned++;
    fillJsonPlan(plan, inst, r.bytes, sink);
    return true;
  }

  private planFor(inst: RawInstance, r: ByteReader, ansi: AnsiDecoder): JsonPlan | undefined {
    this.len = 0;
    if (!this.pushShape(inst, r.bytes, 0)) return undefined;
    const shape = this.shape;
    const n = this.len;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ (shape[i] as number), 0x01000193);
    const template = inst.template as Template;
    const e = this.entry(template);
    const list = e.plans.get(h);
    if (list !== undefined) {
      for (const c of list) {
        const cs = c.shape;
        if (cs.length !== n) continue;
        let same = true;
        for (let i = 0; i < n && same; i++) same = cs[i] === shape[i];
        if (same) return c.plan ?? undefined;
      }
    }
    if (e.shapes >= MAX_SHAPES_PER_TEMPLATE) return undefined;
    const plan = compileJsonPlan(template, decodeRawValues(inst, r, ansi));
    const entry: ShapePlan = { shape: Int32Array.from(shape.slice(0, n)), plan };
    if (list === undefined) e.plans.set(h, [entry]);
    else list.push(entry);
    e.shapes++;
    if (++plansCached > MAX_PLANS_CACHED) {
      // Entries already found for this chunk keep working; later chunks start afresh.
      bySignature.clear();
      plansCached = 0;
    }
    return plan ?? undefined;
  }
}
