import type { ByteReader } from '../../common/index.js';
import type { EventJson } from '../../common/event.js';
import { MAX_BINXML_DEPTH, MAX_RESOLVED_NODES_PER_RECORD } from '../limits.js';
import type { AnsiDecoder, SubstValue, TElement, TNode } from './model.js';
import { decodeRawValue, type RawInstance } from './raw-instance.js';
import { elementValue } from './render-json.js';
import { resolveElement } from './resolve.js';
import { VALUE_ARRAY_FLAG } from './tokens.js';

/**
 * A record's head without its body: the `Event.System` element (provider, EventID, time,
 * channel, computer, ...) rendered exactly as in the record's full JSON object, from the raw
 * template instance (raw-instance.ts), decoding only the values System refers to. A scan
 * that needs the whole event for a few records only (espy's analysis: the EventIDs some rule
 * can match) reads every other record this way.
 *
 * Exactness: the full object is `{ Event: body }` and `body.System` comes from the first
 * `<System>` child of the root `<Event>` and nothing else (render-json.ts keys other children
 * by their own names), so rendering that child alone gives the same value. Where a
 * substitution before it could expand into elements (nested Binary XML, array repeats,
 * nested template instances) or the root is not `<Event>`, this gives up (undefined) and the
 * caller renders the whole record. So that a record read this way fails exactly when its
 * full read would, `fitsResolveLimits` replays the node and depth counts of resolve.ts.
 */

/** `values` of an instance: raw (undecoded) or decoded (a template instance inside a template). */
type Vals = RawInstance | readonly SubstValue[];

const NO_VALUES: readonly SubstValue[] = [];
/** Values that are all plain (no arrays, nulls or nested fragments): a template's own count. */
const ALL_PLAIN: readonly SubstValue[] = [];

/** What resolve.ts's expand needs to know of value `i`. */
const Kind = { Missing: 0, Null: 1, Plain: 2, Array: 3, EmptyArray: 4, Nested: 5 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

function kindOf(vals: Vals, i: number): Kind {
  if (vals === ALL_PLAIN) return Kind.Plain;
  if (Array.isArray(vals)) {
    const v = (vals as readonly SubstValue[])[i];
    if (v === undefined) return Kind.Missing;
    if (v.k === 4) return Kind.Nested;
    if (v.v === null) return Kind.Null;
    if (Array.isArray(v.v)) return v.v.length === 0 ? Kind.EmptyArray : (v.t & VALUE_ARRAY_FLAG) !== 0 ? Kind.Array : Kind.Plain;
    return Kind.Plain;
  }
  const inst = vals as RawInstance;
  if (i >= inst.count) return Kind.Missing;
  if (inst.t[i] === 0) return Kind.Null;
  if (inst.nested[i] !== undefined) return Kind.Nested;
  const d = inst.dec[i];
  if (d === undefined || d.v === null) return d === undefined ? Kind.Plain : Kind.Null;
  if (Array.isArray(d.v)) return d.v.length === 0 ? Kind.EmptyArray : (d.t & VALUE_ARRAY_FLAG) !== 0 ? Kind.Array : Kind.Plain;
  return Kind.Plain;
}

function arrayLength(vals: Vals, i: number): number {
  const v = Array.isArray(vals) ? (vals as readonly SubstValue[])[i] : (vals as RawInstance).dec[i];
  return v !== undefined && v.k === 0 && Array.isArray(v.v) ? v.v.length : 0;
}

/**
 * How resolve.ts treats an element whose only child is substitution `only`: 'skip' (an empty
 * array: no element), 'repeat' (one element per array item), or 'normal'.
 */
function arrayRule(el: TElement, vals: Vals): 'skip' | 'repeat' | 'normal' {
  const only = el.children.length === 1 ? el.children[0] : undefined;
  if (only?.k !== 2) return 'normal';
  const k = kindOf(vals, only.index);
  if ((only.type & VALUE_ARRAY_FLAG) !== 0 && (k === Kind.Missing || k === Kind.Null || k === Kind.EmptyArray)) return 'skip';
  return k === Kind.Array ? 'repeat' : 'normal';
}

interface Budget {
  nodes: number;
  /** Deepest level entered. */
  depth: number;
  /** With ALL_PLAIN values: substitution index → references (count, deepest level). */
  refs?: Map<number, { n: number; depth: number }>;
}

/** resolve.ts `expand`, counting instead of building: false where it would throw. */
function fits(nodes: readonly TNode[], vals: Vals, depth: number, b: Budget): boolean {
  if (depth > MAX_BINXML_DEPTH) return false;
  if (depth > b.depth) b.depth = depth;
  for (const n of nodes) {
    if (++b.nodes > MAX_RESOLVED_NODES_PER_RECORD) return false;
    if (n.k === 1) {
      const rule = arrayRule(n, vals);
      if (rule === 'skip') continue;
      const times = rule === 'repeat' ? arrayLength(vals, (n.children[0] as { index: number }).index) : 1;
      for (let t = 0; t < times; t++) for (const a of n.attrs) if (!fits(a.value, vals, depth + 1, b)) return false;
      if (rule === 'normal' && !fits(n.children, vals, depth + 1, b)) return false;
    } else if (n.k === 2) {
      if (b.refs && vals === ALL_PLAIN) {
        const ref = b.refs.get(n.index);
        if (ref) {
          ref.n++;
          ref.depth = Math.max(ref.depth, depth);
        } else b.refs.set(n.index, { n: 1, depth });
      }
      if (kindOf(vals, n.index) !== Kind.Nested) continue;
      if (Array.isArray(vals)) {
        const v = (vals as readonly SubstValue[])[n.index] as { k: 4; nodes: TNode[] };
        if (!fits(v.nodes, NO_VALUES, depth + 1, b)) return false;
      } else {
        // decodeRawValue gives `{ k: 4, nodes: [instance] }` (or no nodes for an empty fragment).
        const inner = (vals as RawInstance).nested[n.index];
        if (depth + 1 > MAX_BINXML_DEPTH) return false;
        if (depth + 1 > b.depth) b.depth = depth + 1;
        if (inner) {
          if (++b.nodes > MAX_RESOLVED_NODES_PER_RECORD) return false;
          if (!fits(inner.template?.nodes ?? [], inner, depth + 2, b)) return false;
        }
      }
    } else if (n.k === 3) {
      if (!fits(n.template.nodes, n.values, depth + 1, b)) return false;
    }
  }
  return true;
}

/**
 * Per template: its resolved size with every value plain (no arrays, nulls or nested
 * fragments), and where it refers to each substitution; null when that alone breaks a limit.
 */
const plainBounds = new WeakMap<readonly TNode[], Budget | null>();

function plainBound(nodes: readonly TNode[]): Budget | null {
  let s = plainBounds.get(nodes);
  if (s === undefined) {
    const b: Budget = { nodes: 0, depth: 0, refs: new Map() };
    s = fits(nodes, ALL_PLAIN, 0, b) ? b : null;
    plainBounds.set(nodes, s);
  }
  return s;
}

/**
 * Adds to `acc` an upper bound of what `inst` resolves to, its template walked at level
 * `base`: the template's plain size, plus each nested fragment's bound once per reference.
 * Null values only remove nodes. False when no cheap bound exists (array values).
 */
function addBound(inst: RawInstance, base: number, acc: Budget): boolean {
  const s = plainBound(inst.template?.nodes ?? []);
  if (s === null) return false;
  acc.nodes += s.nodes;
  acc.depth = Math.max(acc.depth, base + s.depth);
  for (let i = 0; i < inst.count; i++) {
    const d = inst.dec[i];
    if (d !== undefined && Array.isArray(d.v)) return false;
    const inner = inst.nested[i];
    const ref = inner === undefined ? undefined : s.refs?.get(i);
    if (ref === undefined) continue;
    // resolve.ts: the fragment at level ref.depth + 1, its instance node, its template one deeper.
    acc.depth = Math.max(acc.depth, base + ref.depth + 1);
    if (!inner) continue;
    const sub: Budget = { nodes: 0, depth: 0 };
    if (!addBound(inner, base + ref.depth + 2, sub)) return false;
    acc.nodes += ref.n * (1 + sub.nodes);
    acc.depth = Math.max(acc.depth, sub.depth);
    if (acc.nodes > MAX_RESOLVED_NODES_PER_RECORD) return false;
  }
  return true;
}

/** True when resolving the record (resolve.ts) stays within its depth and node limits. */
export function fitsResolveLimits(inst: RawInstance): boolean {
  // resolveRecord expands [instance] at level 0: one node, then the template at level 1.
  const bound: Budget = { nodes: 1, depth: 0 };
  if (addBound(inst, 1, bound) && bound.nodes <= MAX_RESOLVED_NODES_PER_RECORD && bound.depth <= MAX_BINXML_DEPTH) return true;
  return fits(inst.template?.nodes ?? [], inst, 1, { nodes: 1, depth: 0 });
}

/** The first element a node list resolves to, when that is decidable without resolving; else undefined. */
function firstElement(nodes: readonly TNode[], vals: Vals, name?: string): TElement | 'none' | undefined {
  for (const n of nodes) {
    if (n.k === 0) continue;
    if (n.k === 3) return undefined;
    if (n.k === 2) {
      const k = kindOf(vals, n.index);
      if (k !== Kind.Nested) continue;
      const inner = Array.isArray(vals) ? undefined : (vals as RawInstance).nested[n.index];
      if (inner === null) continue; // an empty fragment expands to nothing
      return undefined;
    }
    const rule = arrayRule(n, vals);
    if (rule === 'skip') continue;
    if (name !== undefined && n.name !== name) continue;
    return rule === 'repeat' ? undefined : n;
  }
  return 'none';
}

/** Substitution indexes a template subtree refers to (nested instances carry their own values). */
function substIndexes(nodes: readonly TNode[], out: number[]): number[] {
  for (const n of nodes) {
    if (n.k === 2) out.push(n.index);
    else if (n.k === 1) {
      for (const a of n.attrs) substIndexes(a.value, out);
      substIndexes(n.children, out);
    }
  }
  return out;
}

/**
 * The System children a head holds: what the scan's statistics and a rule index read
 * (provider, EventID, time, record id, channel, computer).
 */
export const HEAD_FIELDS = ['Provider', 'EventID', 'TimeCreated', 'EventRecordID', 'Channel', 'Computer'] as const;

const indexesOf = new WeakMap<TElement, number[]>();

/**
 * `{ Event: { System } }` of the record whose raw instance is `inst`, System holding the
 * HEAD_FIELDS children only, each exactly as the full JSON object holds it; undefined when
 * only the full read can tell. `r` spans the chunk; `offset` is the record's file offset.
 */
export function readRecordHead(inst: RawInstance, r: ByteReader, ansi: AnsiDecoder, offset: number): EventJson | undefined {
  if (!fitsResolveLimits(inst)) return undefined;
  const root = firstElement(inst.template?.nodes ?? [], inst);
  if (root === undefined || root === 'none' || root.name !== 'Event') return undefined;
  // No System at all is rare and hostile: the full read decides what such a record gives.
  const system = firstElement(root.children, inst, 'System');
  if (system === undefined || system === 'none') return undefined;
  // render-json.ts keys System's children by name, the first of each name under the bare
  // name; firstElement gives up at a substitution that could bring an element before it.
  const out: Record<string, unknown> = {};
  // One value array for all fields, each value decoded once, only those the fields refer to.
  const values = new Array<SubstValue>(inst.count);
  for (const name of HEAD_FIELDS) {
    const el = firstElement(system.children, inst, name);
    if (el === undefined) return undefined;
    if (el === 'none') continue;
    let idx = indexesOf.get(el);
    if (idx === undefined) indexesOf.set(el, (idx = substIndexes([el], [])));
    for (const i of idx) if (i < inst.count && values[i] === undefined) values[i] = decodeRawValue(inst, i, r, ansi);
    const resolved = resolveElement(el, values, offset)[0];
    if (resolved?.k !== 1) return undefined;
    out[name] = elementValue(resolved, false);
  }
  return { Event: { System: out } } as EventJson;
}
