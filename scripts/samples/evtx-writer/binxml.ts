/**
 * Binary XML serialisation into a chunk (libyal EVTX document §4 "Binary XML";
 * [MS-EVEN6] §3.1.4.7). Names and template definitions live inside the chunk: the first use
 * stores them inline and links them into the chunk's hash tables, later uses point back.
 *
 *   record BinXml:  0x0F 01 01 00 | 0x0C 01 <tplId u32> <defOffset u32> [inline def] | values | 0x00
 *   inline def:     <next u32> <guid 16> <size u32> | 0x0F 01 01 00 <element…> 0x00
 */
import type { Sink } from './sink.js';
import type { TElement, TNode, Template } from './template.js';
import { VALUE_TYPE, encodeValue, type TypedValue } from './values.js';

const TOKEN = {
  eof: 0x00,
  openStart: 0x01,
  closeStart: 0x02,
  closeEmpty: 0x03,
  endElement: 0x04,
  value: 0x05,
  attribute: 0x06,
  templateInstance: 0x0c,
  normalSub: 0x0d,
  optionalSub: 0x0e,
  fragmentHeader: 0x0f,
  hasMoreFlag: 0x40,
} as const;

export const STRING_BUCKETS = 64;
export const TEMPLATE_BUCKETS = 32;

/** Per-chunk tables: name → offset, template key → offset, and the bucket heads. */
export interface ChunkTables {
  names: Map<string, number>;
  nameBuckets: number[];
  templates: Map<string, number>;
  templateBuckets: number[];
}

export function newTables(): ChunkTables {
  return { names: new Map(), nameBuckets: new Array<number>(STRING_BUCKETS).fill(0), templates: new Map(), templateBuckets: new Array<number>(TEMPLATE_BUCKETS).fill(0) };
}

export function cloneTables(t: ChunkTables): ChunkTables {
  return { names: new Map(t.names), nameBuckets: [...t.nameBuckets], templates: new Map(t.templates), templateBuckets: [...t.templateBuckets] };
}

/** Windows' name hash: h = h * 65599 + c over UTF-16 code units, low 16 bits kept. */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 65599) + name.charCodeAt(i)) >>> 0;
  return h & 0xffff;
}

/** A value that may itself be a Binary XML fragment (type 0x21): a nested template instance. */
export interface Instance { template: Template; values: SubValue[] }
export type SubValue = TypedValue | { type: 'binXml'; value: Instance };

export class BinXmlWriter {
  private readonly s: Sink;
  private readonly t: ChunkTables;
  constructor(s: Sink, t: ChunkTables) {
    this.s = s;
    this.t = t;
  }

  /** Writes a name reference, storing the name inline (and linking its bucket) on first use. */
  private name(name: string): void {
    const known = this.t.names.get(name);
    if (known !== undefined) { this.s.u32(known); return; }
    const at = this.s.pos + 4;
    this.s.u32(at);
    const hash = nameHash(name);
    const bucket = hash % STRING_BUCKETS;
    this.s.u32(this.t.nameBuckets[bucket] ?? 0); // new names go to the head of their bucket chain
    this.s.u16(hash);
    this.s.u16(name.length);
    this.s.bytes(new Uint8Array(Buffer.from(`${name}\0`, 'utf16le')));
    this.t.nameBuckets[bucket] = at;
    this.t.names.set(name, at);
  }

  private textValue(value: string): void {
    this.s.u8(TOKEN.value);
    this.s.u8(VALUE_TYPE.string);
    this.s.u16(value.length);
    this.s.bytes(new Uint8Array(Buffer.from(value, 'utf16le')));
  }

  private node(n: TNode): void {
    if (n.kind === 'text') return this.textValue(n.value);
    if (n.kind === 'sub') {
      this.s.u8(n.optional ? TOKEN.optionalSub : TOKEN.normalSub);
      this.s.u16(n.index);
      this.s.u8(VALUE_TYPE[n.type]);
      return;
    }
    this.element(n);
  }

  private element(e: TElement): void {
    const hasAttrs = e.attrs.length > 0;
    this.s.u8(TOKEN.openStart | (hasAttrs ? TOKEN.hasMoreFlag : 0));
    this.s.u16(0xffff); // dependency identifier: none
    const sizeAt = this.s.pos;
    this.s.u32(0);
    this.name(e.name);
    if (hasAttrs) {
      const listAt = this.s.pos;
      this.s.u32(0);
      e.attrs.forEach((a, i) => {
        this.s.u8(TOKEN.attribute | (i < e.attrs.length - 1 ? TOKEN.hasMoreFlag : 0));
        this.name(a.name);
        this.node(a.value);
      });
      this.s.patchU32(listAt, this.s.pos - listAt - 4);
    }
    if (e.children.length === 0) {
      this.s.u8(TOKEN.closeEmpty);
    } else {
      this.s.u8(TOKEN.closeStart);
      for (const c of e.children) this.node(c);
      this.s.u8(TOKEN.endElement);
    }
    this.s.patchU32(sizeAt, this.s.pos - sizeAt - 4);
  }

  private fragmentHeader(): void {
    this.s.u8(TOKEN.fragmentHeader);
    this.s.u8(1);
    this.s.u8(1);
    this.s.u8(0);
  }

  /** A complete fragment: header, template instance with its values, end of stream. */
  fragment(inst: Instance): void {
    this.fragmentHeader();
    this.templateInstance(inst);
    this.s.u8(TOKEN.eof);
  }

  private templateInstance(inst: Instance): void {
    const { template } = inst;
    this.s.u8(TOKEN.templateInstance);
    this.s.u8(1);
    this.s.u32(template.id);
    const known = this.t.templates.get(template.key);
    if (known !== undefined) {
      this.s.u32(known);
    } else {
      const at = this.s.pos + 4;
      this.s.u32(at);
      // Bucket choice: Windows' function is undocumented (it is not id % 32 in real files);
      // readers walk every bucket, so any bucket that links the template is valid.
      const bucket = template.id % TEMPLATE_BUCKETS;
      this.s.u32(this.t.templateBuckets[bucket] ?? 0);
      this.s.bytes(template.guid);
      const sizeAt = this.s.pos;
      this.s.u32(0);
      this.fragmentHeader();
      this.element(template.root);
      this.s.u8(TOKEN.eof);
      this.s.patchU32(sizeAt, this.s.pos - sizeAt - 4);
      this.t.templateBuckets[bucket] = at;
      this.t.templates.set(template.key, at);
    }
    this.values(inst.values);
  }

  private values(values: SubValue[]): void {
    this.s.u32(values.length);
    const descAt = this.s.pos;
    for (let i = 0; i < values.length; i++) this.s.u32(0);
    values.forEach((val, i) => {
      const start = this.s.pos;
      if (val.type === 'binXml') this.fragment(val.value);
      else this.s.bytes(encodeValue(val));
      const size = this.s.pos - start;
      if (size > 0xffff) throw new Error(`substitution ${i} too large (${size} bytes)`);
      this.s.patchU16(descAt + 4 * i, size);
      this.s.buf[descAt + 4 * i + 2] = val.type === 'binXml' ? VALUE_TYPE.binXml : VALUE_TYPE[val.type];
      this.s.buf[descAt + 4 * i + 3] = 0;
    });
  }
}
