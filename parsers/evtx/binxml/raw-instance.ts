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
export class RawInstance {
  template: Template | undefined;
  /** Number of substitution values. */
  count = 0;
  /**
   * Per value: type (0 for a null value: type 0 or size 0), chunk-relative offset, size.
   * Plain arrays: small typed arrays are off-heap allocations, which serialise threads.
   */
  readonly t: number[] = [];
  readonly off: number[] = [];
  readonly size: number[] = [];
  /** Type 0x21 (nested Binary XML): its one template instance, or null for an empty fragment. */
  readonly nested: (RawInstance | null | undefined)[] = [];
  /** Types written from their decoded value (arrays, ANSI, reals, bool, times, handles). */
  readonly dec: (Value | undefined)[] = [];

  reset(template: Template, count: number): void {
    this.template = template;
    this.count = count;
  }
}

/**
 * Reads records through reused RawInstance objects (a record's instances are valid until the
 * next record is read).
 */
export class RawReader {
  private readonly pool: RawInstance[] = [];
  private used = 0;
  private ctx!: ChunkContext;
  private r!: ByteReader;

  /**
   * Starts a chunk: `r` spans it and is used as the cursor (its position is not preserved).
   */
  bind(ctx: ChunkContext, r: ByteReader): void {
    this.ctx = ctx;
    this.r = r;
  }

  private instance(): RawInstance {
    let inst = this.pool[this.used];
    if (inst === undefined) {
      inst = new RawInstance();
      this.pool.push(inst);
    }
    this.used++;
    return inst;
  }

  /**
   * A record's Binary XML (`start`..`end`, chunk-relative) as one template instance, or
   * undefined when the normal path must read it.
   */
  readRecord(start: number, end: number): RawInstance | undefined {
    this.used = 0;
    this.r.pos = start;
    return this.fragment(end, 0) ?? undefined;
  }

  /**
   * Reads `[fragment header] template-instance [end of stream]` from the cursor up to `end`:
   * the instance, null for an empty fragment, undefined for anything else.
   */
  private fragment(end: number, depth: number): RawInstance | null | undefined {
    const { ctx, r } = this;
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
    const inst = this.templateInstance(depth);
    if (inst === undefined) return undefined;
    if (r.pos < end) {
      if (b[r.pos] !== TOKEN.endOfStream) return undefined;
      token(ctx, r);
    }
    return inst;
  }

  /** parse.ts readTemplateInstance with undecoded values. */
  private templateInstance(depth: number): RawInstance | undefined {
    const { ctx, r } = this;
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
    const inst = this.instance();
    inst.reset(template, count);
    const { t, off, size: sizes, nested, dec } = inst;
    for (let i = 0; i < count; i++) {
      const p = desc + i * 4;
      const size = (b[p] as number) | ((b[p + 1] as number) << 8);
      const type = b[p + 2] as number;
      const start = r.pos;
      r.need(size, 'substitution.value');
      off[i] = start;
      sizes[i] = size;
      nested[i] = undefined;
      dec[i] = undefined;
      if (size === 0 || type === VALUE_TYPE.null) {
        t[i] = 0;
      } else if (type === VALUE_TYPE.binXml) {
        t[i] = type;
        const n = this.fragment(start + size, depth + 1);
        if (n === undefined) return undefined;
        nested[i] = n;
      } else if (RAW_TYPES.has(type) && isWhole(b, start, size, type)) {
        t[i] = type;
      } else {
        // Everything else, and values the decoder must judge (it throws for bad ones).
        t[i] = type;
        r.pos = start;
        dec[i] = decodeValue(r, type, size, ctx.ansi);
      }
      r.pos = start + size;
    }
    return inst;
  }
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

/** The checks decodeValue makes before it reads a value of a raw type. */
function isWhole(b: Uint8Array, off: number, size: number, type: number): boolean {
  if (type === VALUE_TYPE.string || type === VALUE_TYPE.binary) return true;
  if (type === VALUE_TYPE.sid) return decodeSid(b, off, size) !== undefined;
  if (type === VALUE_TYPE.sizeT) return size === 4 || size === 8;
  return size >= (FIXED_VALUE_SIZE[type] ?? Infinity);
}

const NULL_VALUE: Value = { k: 0, t: VALUE_TYPE.null, v: null };

/** The decoded substitution values of a raw instance (what parse.ts would have built). */
export function decodeRawValues(inst: RawInstance, r: ByteReader, ansi: AnsiDecoder): SubstValue[] {
  const out = new Array<SubstValue>(inst.count);
  for (let i = 0; i < inst.count; i++) out[i] = decodeRawValue(inst, i, r, ansi);
  return out;
}

/** Value `i` (< inst.count) of a raw instance, decoded. */
export function decodeRawValue(inst: RawInstance, i: number, r: ByteReader, ansi: AnsiDecoder): SubstValue {
  const t = inst.t[i] as number;
  const n = inst.nested[i];
  const d = inst.dec[i];
  if (t === 0) return NULL_VALUE;
  if (n === null) return { k: 4, nodes: [] };
  if (n !== undefined) return { k: 4, nodes: [{ k: 3, template: n.template as Template, values: decodeRawValues(n, r, ansi) }] };
  if (d !== undefined) return d;
  return decodeValue(r.fork(inst.off[i] as number), t, inst.size[i] as number, ansi);
}
