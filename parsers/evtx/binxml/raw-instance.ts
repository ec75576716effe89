import { checkLimit, LimitExceededError, type ByteReader } from '../../common/index.js';
import { MAX_BINXML_DEPTH, MAX_SUBSTITUTIONS_PER_TEMPLATE, MAX_TOKENS_PER_RECORD } from '../limits.js';
import type { AnsiDecoder, SubstValue, Template, Value } from './model.js';
import { templateAt, type ChunkContext } from './parse.js';
import { FIXED_VALUE_SIZE, TOKEN, VALUE_TYPE } from './tokens.js';
import { decodeSid, decodeValue } from './values.js';

/**
 * The fast read of a record for the jsonl renderer (json-plan.ts): nearly every record is
 * `fragment header, template instance, end of stream`, its EventData often a nested Binary
 * XML value of the same form. This reads exactly that shape and leaves the common value
 * types undecoded (offset, size, type), so strings go from UTF-16 bytes straight to the
 * output. Anything else (inline elements, other tokens, unusual nested values, a value the
 * normal decoder would reject) returns undefined or throws, and the caller reads the record
 * through the normal path (parse.ts), which gives the result or the error.
 */
export interface RawValue {
  /** Value type; 0 for a null value (type 0 or size 0). */
  readonly t: number;
  /** Chunk-relative offset and size of the value bytes. */
  readonly off: number;
  readonly size: number;
  /** Type 0x21 (nested Binary XML): its one template instance, or null for an empty fragment. */
  readonly nested: RawInstance | null | undefined;
  /** Types written from their decoded value (arrays, ANSI, reals, bool, times, handles). */
  readonly dec: Value | undefined;
}

export interface RawInstance {
  readonly template: Template;
  readonly values: RawValue[];
}

/** Types left undecoded: written by json-plan.ts straight from the chunk bytes. */
const RAW_TYPES = new Set<number>([
  VALUE_TYPE.string,
  VALUE_TYPE.int8,
  VALUE_TYPE.uint8,
  VALUE_TYPE.int16,
  VALUE_TYPE.uint16,
  VALUE_TYPE.int32,
  VALUE_TYPE.uint32,
  VALUE_TYPE.int64,
  VALUE_TYPE.uint64,
  VALUE_TYPE.binary,
  VALUE_TYPE.guid,
  VALUE_TYPE.sizeT,
  VALUE_TYPE.filetime,
  VALUE_TYPE.sid,
  VALUE_TYPE.hexInt32,
  VALUE_TYPE.hexInt64,
]);

function token(ctx: ChunkContext, r: ByteReader): void {
  if (++ctx.tokens > MAX_TOKENS_PER_RECORD) {
    throw new LimitExceededError('evtx', 'MAX_TOKENS_PER_RECORD', ctx.tokens, MAX_TOKENS_PER_RECORD, r.absolute);
  }
}

/**
 * Reads `[fragment header] template-instance [end of stream]` from `r.pos` up to `end`
 * (chunk-relative): the instance, null for an empty fragment, undefined for anything else.
 */
function readRawFragment(ctx: ChunkContext, r: ByteReader, end: number, depth: number): RawInstance | null | undefined {
  checkLimit('evtx', 'MAX_BINXML_DEPTH', depth, MAX_BINXML_DEPTH, r.absolute);
  const b = r.bytes;
  if (r.pos < end && b[r.pos] === TOKEN.fragmentHeader) {
    token(ctx, r);
    r.skip(4, 'fragmentHeader');
  }
  if (r.pos >= end) return null;
  if (b[r.pos] === TOKEN.endOfStream) {
    token(ctx, r);
    return null;
  }
  if (b[r.pos] !== TOKEN.templateInstance) return undefined;
  token(ctx, r);
  r.pos++;
  const inst = readRawInstance(ctx, r, depth);
  if (inst === undefined) return undefined;
  if (r.pos < end) {
    if (b[r.pos] !== TOKEN.endOfStream) return undefined;
    token(ctx, r);
  }
  return inst;
}

/** parse.ts readTemplateInstance with undecoded values. */
function readRawInstance(ctx: ChunkContext, r: ByteReader, depth: number): RawInstance | undefined {
  r.skip(5, 'templateInstance.unknown+templateId');
  const defOffset = r.u32le('templateInstance.definitionOffset');
  const template = templateAt(ctx, defOffset, depth);
  if (defOffset === r.pos) r.seek(defOffset + 24 + template.dataSize, 'templateInstance.afterDefinition');
  const count = r.u32le('templateInstance.numberOfValues');
  checkLimit('evtx', 'MAX_SUBSTITUTIONS_PER_TEMPLATE', count, MAX_SUBSTITUTIONS_PER_TEMPLATE, r.absolute);
  r.need(count * 4, 'templateInstance.valueDescriptors');
  const b = r.bytes;
  const desc = r.pos;
  r.pos += count * 4;
  const values = new Array<RawValue>(count);
  for (let i = 0; i < count; i++) {
    const p = desc + i * 4;
    const size = (b[p] as number) | ((b[p + 1] as number) << 8);
    const type = b[p + 2] as number;
    const start = r.pos;
    r.need(size, 'substitution.value');
    let v: RawValue;
    if (size === 0 || type === VALUE_TYPE.null) {
      v = { t: 0, off: start, size: 0, nested: undefined, dec: undefined };
    } else if (type === VALUE_TYPE.binXml) {
      const nested = readRawFragment(ctx, r.fork(start), start + size, depth + 1);
      if (nested === undefined) return undefined;
      v = { t: type, off: start, size, nested, dec: undefined };
    } else if (RAW_TYPES.has(type) && isWhole(b, start, size, type)) {
      v = { t: type, off: start, size, nested: undefined, dec: undefined };
    } else {
      // Everything else, and values the decoder must judge (it throws for bad ones).
      v = { t: type, off: start, size, nested: undefined, dec: decodeValue(r, type, size, ctx.ansi) };
    }
    values[i] = v;
    r.pos = start + size;
  }
  return { template, values };
}

/** The checks decodeValue makes before it reads a value of a raw type. */
function isWhole(b: Uint8Array, off: number, size: number, type: number): boolean {
  if (type === VALUE_TYPE.string || type === VALUE_TYPE.binary) return true;
  if (type === VALUE_TYPE.sid) return decodeSid(b, off, size) !== undefined;
  if (type === VALUE_TYPE.sizeT) return size === 4 || size === 8;
  return size >= (FIXED_VALUE_SIZE[type] ?? Infinity);
}

/**
 * A record's Binary XML (`start`..`end`, chunk-relative, the reader spanning the chunk) as one
 * template instance, or undefined when the normal path must read it.
 */
export function readRawRecord(ctx: ChunkContext, r: ByteReader, start: number, end: number): RawInstance | undefined {
  return readRawFragment(ctx, r.fork(start), end, 0) ?? undefined;
}

const NULL_VALUE: Value = { k: 0, t: VALUE_TYPE.null, v: null };

/** The decoded substitution values of a raw instance (what parse.ts would have built). */
export function decodeRawValues(values: readonly RawValue[], r: ByteReader, ansi: AnsiDecoder): SubstValue[] {
  return values.map((v): SubstValue => {
    if (v.t === 0) return NULL_VALUE;
    if (v.nested === null) return { k: 4, nodes: [] };
    if (v.nested !== undefined) return { k: 4, nodes: [{ k: 3, template: v.nested.template, values: decodeRawValues(v.nested.values, r, ansi) }] };
    if (v.dec !== undefined) return v.dec;
    return decodeValue(r.fork(v.off), v.t, v.size, ansi);
  });
}
