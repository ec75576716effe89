/**
 * Declarative Binary XML templates: the tree Windows stores once per chunk in a template
 * definition and fills per record from the substitution array (libyal EVTX document §4.1.6
 * "Template definition", [MS-EVEN6] §3.1.4.7.1 BinXml grammar).
 */
import { createHash } from 'node:crypto';
import type { ValueTypeName } from './values.js';

/** A literal attribute value or text node (token 0x05, value type string). */
export interface TText { kind: 'text'; value: string }
/** A substitution slot: token 0x0d (normal) or 0x0e (optional: omitted when the value is null). */
export interface TSub { kind: 'sub'; index: number; type: ValueTypeName; optional: boolean }
export interface TAttr { name: string; value: TText | TSub }
export interface TElement { kind: 'element'; name: string; attrs: TAttr[]; children: TNode[] }
export type TNode = TElement | TText | TSub;

/** A template: its root element, a stable GUID derived from its shape, and its id (GUID Data1). */
export interface Template { root: TElement; key: string; guid: Uint8Array; id: number }

export const text = (value: string): TText => ({ kind: 'text', value });
export const sub = (index: number, type: ValueTypeName): TSub => ({ kind: 'sub', index, type, optional: false });
export const opt = (index: number, type: ValueTypeName): TSub => ({ kind: 'sub', index, type, optional: true });
export function el(name: string, attrs: Record<string, TText | TSub> = {}, ...children: TNode[]): TElement {
  return { kind: 'element', name, attrs: Object.entries(attrs).map(([n, value]) => ({ name: n, value })), children };
}

/**
 * Wraps a root element as a template. Windows gives every template a GUID; we derive ours from
 * the template's shape (SHA-256 of its canonical JSON) so output is deterministic and the same
 * shape always gets the same GUID, as Windows' own templates do.
 */
export function makeTemplate(root: TElement): Template {
  const key = JSON.stringify(root);
  const guid = new Uint8Array(createHash('sha256').update(key).digest().subarray(0, 16));
  const id = Buffer.from(guid).readUInt32LE(0);
  return { root, key, guid, id };
}
