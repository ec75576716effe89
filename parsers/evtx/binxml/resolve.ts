import { LimitExceededError } from '../../common/index.js';
import { MAX_BINXML_DEPTH, MAX_RESOLVED_NODES_PER_RECORD } from '../limits.js';
import type { RElement, RNode, SubstValue, TElement, TNode, Value } from './model.js';
import { VALUE_ARRAY_FLAG, VALUE_TYPE } from './tokens.js';

/**
 * Template instantiation: replaces substitution slots with the instance's values, expands
 * nested template instances and nested Binary XML (0x21) values, and yields a concrete tree.
 * A null value, and an optional substitution whose value is empty, produce no node (the
 * attribute or element then renders empty, as evtx_dump and evtxexport do).
 */
interface Budget {
  nodes: number;
}

const EMPTY: SubstValue[] = [];

function expand(nodes: TNode[], values: SubstValue[], out: RNode[], depth: number, budget: Budget, offset: number): void {
  if (depth > MAX_BINXML_DEPTH) throw new LimitExceededError('evtx', 'MAX_BINXML_DEPTH', depth, MAX_BINXML_DEPTH, offset);
  for (const n of nodes) {
    if (++budget.nodes > MAX_RESOLVED_NODES_PER_RECORD) {
      throw new LimitExceededError('evtx', 'MAX_RESOLVED_NODES_PER_RECORD', budget.nodes, MAX_RESOLVED_NODES_PER_RECORD, offset);
    }
    switch (n.k) {
      case 0:
        out.push(n);
        break;
      case 1: {
        // An element whose only content is an array substitution is repeated once per item
        // (Windows writes classic providers' insertion strings this way: <Data> per string;
        // samples: 4renwald Application.evtx record 68556, evtxexport agrees).
        const only = n.children.length === 1 ? n.children[0] : undefined;
        const arr = only?.k === 2 ? values[only.index] : undefined;
        // An empty array (size 0, or no items) gives no element at all, as evtxexport shows
        // (sample: 4renwald Application.evtx record 68573).
        if (only?.k === 2 && (only.type & VALUE_ARRAY_FLAG) !== 0 && (arr === undefined || (arr.k === 0 && (arr.v === null || (Array.isArray(arr.v) && arr.v.length === 0))))) {
          break;
        }
        if (arr !== undefined && arr.k === 0 && (arr.t & VALUE_ARRAY_FLAG) !== 0 && Array.isArray(arr.v) && arr.v.length > 0) {
          for (const item of arr.v) {
            const el: RElement = { k: 1, name: n.name, attrs: [], children: [{ k: 0, t: arr.t & ~VALUE_ARRAY_FLAG, v: item }] };
            expandAttrs(n, values, el, depth, budget, offset);
            out.push(el);
          }
          break;
        }
        const el: RElement = { k: 1, name: n.name, attrs: [], children: [] };
        expandAttrs(n, values, el, depth, budget, offset);
        expand(n.children, values, el.children, depth + 1, budget, offset);
        out.push(el);
        break;
      }
      case 2: {
        const v = values[n.index];
        if (v === undefined) break; // substitution index beyond the value array: renders empty
        if (v.k === 4) expand(v.nodes, EMPTY, out, depth + 1, budget, offset);
        else if (v.t !== VALUE_TYPE.null) out.push(v);
        break;
      }
      case 3:
        expand(n.template.nodes, n.values, out, depth + 1, budget, offset);
        break;
    }
  }
}

function expandAttrs(n: TElement, values: SubstValue[], el: RElement, depth: number, budget: Budget, offset: number): void {
  for (const a of n.attrs) {
    const v: RNode[] = [];
    expand(a.value, values, v, depth + 1, budget, offset);
    // Attribute values are text: elements cannot appear there (keep values only).
    el.attrs.push({ name: a.name, value: v.filter((x): x is Value => x.k === 0) });
  }
}

/**
 * Resolves a record's parsed fragment into its root element (normally `<Event>`).
 * Returns undefined when the fragment holds no element.
 */
export function resolveRecord(nodes: TNode[], offset: number): RElement | undefined {
  const out: RNode[] = [];
  expand(nodes, EMPTY, out, 0, { nodes: 0 }, offset);
  for (const n of out) if (n.k === 1) return n;
  return undefined;
}

/**
 * Resolves one element of a template (its subtree only) with the instance's values: what
 * resolveRecord builds for that element. `values` need only hold the indexes the subtree
 * refers to.
 */
export function resolveElement(el: TElement, values: SubstValue[], offset: number): RNode[] {
  const out: RNode[] = [];
  expand([el], values, out, 0, { nodes: 0 }, offset);
  return out;
}
