/** Decodes ANSI (codepage) bytes; a TextDecoder. */
export interface AnsiDecoder {
  decode(bytes: Uint8Array): string;
}

/**
 * The intermediate representation of Binary XML (python-evtx `Nodes.py`, omerbenamram
 * `ir.rs`): template bodies are parsed once per chunk into `TNode` trees with substitution
 * slots; a record's template instance is resolved into a concrete `RElement` tree that the
 * renderers (render-json.ts, render-xml.ts) turn into JSON or XML.
 */

/** A typed value: a substitution value, or text (`t` = 0x01) written in the stream. */
export interface Value {
  readonly k: 0;
  /** Value type (tokens.ts VALUE_TYPE, | 0x80 for arrays) or NODE_TYPE for refs/CDATA/PI. */
  readonly t: number;
  /**
   * string (strings, GUID, SID, times as ISO with 7 digits, hex ints as "0x..", binary as hex),
   * number (ints that fit, reals), bigint (64-bit ints that do not), boolean,
   * an array of those (array types), or `{ target, data }` for PI.
   */
  readonly v: ValuePayload;
}
export type Scalar = string | number | bigint | boolean;
export type ValuePayload = Scalar | Scalar[] | null | { target: string; data: string };

/** A resolved element. */
export interface RElement {
  readonly k: 1;
  readonly name: string;
  readonly attrs: RAttr[];
  readonly children: RNode[];
}
export interface RAttr {
  readonly name: string;
  readonly value: Value[];
}
export type RNode = RElement | Value;

// ---- template trees (unresolved) ----

export interface TElement {
  readonly k: 1;
  readonly name: string;
  readonly attrs: TAttr[];
  readonly children: TNode[];
}
export interface TAttr {
  readonly name: string;
  readonly value: TNode[];
}
/** A substitution slot: `{ index, type, optional }`. */
export interface TSubst {
  readonly k: 2;
  readonly index: number;
  readonly type: number;
  readonly optional: boolean;
}
/** A template instance inside a stream: the template and its decoded values. */
export interface TInstance {
  readonly k: 3;
  readonly template: Template;
  readonly values: SubstValue[];
}
export type TNode = TElement | Value | TSubst | TInstance;

/** A decoded substitution value; BinXML values (0x21) carry their parsed fragment. */
export type SubstValue = Value | { readonly k: 4; readonly nodes: TNode[] };

/** A template definition, cached per chunk by its chunk-relative offset. */
export interface Template {
  readonly offset: number;
  readonly guid: string;
  readonly dataSize: number;
  readonly nodes: TNode[];
}
