import type { ByteReader } from '../../common/index.js';
import { FormatError, LimitExceededError, TruncatedError, checkLimit } from '../../common/index.js';
import { MAX_BINXML_DEPTH, MAX_NAME_CHARS, MAX_SUBSTITUTIONS_PER_TEMPLATE, MAX_TOKENS_PER_RECORD } from '../limits.js';
import type { AnsiDecoder, SubstValue, TAttr, TElement, TInstance, TNode, TSubst, Template, Value } from './model.js';
import { NODE_TYPE, TOKEN, TOKEN_MORE_FLAG, VALUE_TYPE } from './tokens.js';
import { decodeGuid, decodeValue } from './values.js';

/**
 * Binary XML token parser, [MS-EVEN6] §2.2.12, libyal EVTX §4. Works on one chunk: every
 * offset (names, templates) is chunk-relative, so the reader spans the whole chunk and
 * `r.pos` is the chunk-relative position.
 *
 *   record ─▶ fragment header ─▶ template instance ──▶ template definition (inline or at
 *                                     │                  an earlier offset, cached per chunk)
 *                                     └─▶ substitution values (0x21 values recurse here)
 */
export interface ChunkContext {
  /** Reader over the whole chunk; `baseOffset` is the chunk's file offset. */
  readonly chunk: ByteReader;
  /** Names by chunk-relative offset (a per-chunk cache: offsets mean nothing in another chunk). */
  readonly names: Map<number, string>;
  /** Parsed templates by chunk-relative definition offset (per-chunk cache). */
  readonly templates: Map<number, Template>;
  /** Template offsets being parsed (cycle guard: a template that instantiates itself). */
  readonly inProgress: Set<number>;
  /** Decoder for ANSI strings (codepage option). */
  readonly ansi: AnsiDecoder;
  /** Tokens read for the current record (reset per record). */
  tokens: number;
  /**
   * Names and templates known to be unreadable, by chunk-relative offset, with their error.
   * Slack scans try thousands of candidate records whose stale template pointers lead to
   * the same garbage: the error is built (stack captured) once, then thrown again.
   */
  readonly bad: Map<number, FormatError>;
}

export function newChunkContext(chunk: ByteReader, ansi: AnsiDecoder): ChunkContext {
  return { chunk, names: new Map(), templates: new Map(), inProgress: new Set(), ansi, tokens: 0, bad: new Map() };
}

function err(code: FormatError['code'], r: ByteReader, at: number, what: string, message?: string): FormatError {
  const offset = r.baseOffset + at;
  return new FormatError({ code, format: 'evtx', offset, what, message: `evtx: ${message ?? code} (${what}) at offset ${offset}` });
}

/** Reads a name structure (libyal "Name") at chunk-relative `off`, with the cache. */
function nameAt(ctx: ChunkContext, off: number): string {
  const cached = ctx.names.get(off);
  if (cached !== undefined) return cached;
  // Failed names are kept under -1 - offset, failed templates under their offset.
  const bad = ctx.bad.get(-1 - off);
  if (bad !== undefined) throw bad;
  try {
    return readNameAt(ctx, off);
  } catch (e) {
    // Reading a name depends on its bytes only, so its failure is final.
    if (e instanceof FormatError) ctx.bad.set(-1 - off, e);
    throw e;
  }
}

function readNameAt(ctx: ChunkContext, off: number): string {
  const r = ctx.chunk;
  // 0x00 next offset (4), 0x04 hash (2), 0x06 character count (2), 0x08 UTF-16 chars, NUL.
  const count = r.u16At(off + 6, 'name.characterCount');
  checkLimit('evtx', 'MAX_NAME_CHARS', count, MAX_NAME_CHARS, r.baseOffset + off);
  r.need(8 + count * 2, 'name.characters', off);
  const f = r.fork(off + 8);
  const name = f.utf16le(count, 'name.characters');
  ctx.names.set(off, name);
  return name;
}

/** Reads a name reference; an inline name (offset == cursor) is skipped over. */
function readName(ctx: ChunkContext, r: ByteReader, what: string): string {
  const off = r.u32le(what);
  if (off === r.pos) {
    const name = nameAt(ctx, off);
    const count = r.u16At(off + 6, 'name.characterCount');
    r.skip(8 + count * 2 + 2, 'name');
    return name;
  }
  return nameAt(ctx, off);
}

/** Reads a template definition at chunk-relative `off` (cached). */
export function templateAt(ctx: ChunkContext, off: number, depth: number): Template {
  const cached = ctx.templates.get(off);
  if (cached !== undefined) return cached;
  const bad = ctx.bad.get(off);
  if (bad !== undefined) throw bad;
  try {
    return readTemplateAt(ctx, off, depth);
  } catch (e) {
    // A failure that depends on the bytes only is final; limits (tokens so far, depth) and
    // cycles (which templates are being read) depend on the caller, so those are not kept.
    if (e instanceof FormatError && e.code !== 'LIMIT_EXCEEDED' && e.code !== 'CYCLE') ctx.bad.set(off, e);
    throw e;
  }
}

function readTemplateAt(ctx: ChunkContext, off: number, depth: number): Template {
  if (ctx.inProgress.has(off)) throw err('CYCLE', ctx.chunk, off, 'templateDefinition', 'template instantiates itself');
  const r = ctx.chunk.fork(off);
  // 0x00 next template offset (4), 0x04 template GUID (16), 0x14 data size (4), 0x18 data.
  r.need(24, 'templateDefinition');
  r.skip(4, 'templateDefinition.next');
  const guid = decodeGuid(r.bytes, r.pos);
  r.skip(16, 'templateDefinition.guid');
  const dataSize = r.u32le('templateDefinition.dataSize');
  const start = r.pos;
  if (start + dataSize > r.length) {
    throw new TruncatedError('evtx', 'templateDefinition.data', r.baseOffset + start, dataSize, r.length - start);
  }
  ctx.inProgress.add(off);
  try {
    const nodes = parseFragment(ctx, r, start + dataSize, depth + 1, true);
    const t: Template = { offset: off, guid, dataSize, nodes };
    ctx.templates.set(off, t);
    return t;
  } finally {
    ctx.inProgress.delete(off);
  }
}

function readTemplateInstance(ctx: ChunkContext, r: ByteReader, depth: number): TInstance {
  r.skip(1, 'templateInstance.unknown');
  r.skip(4, 'templateInstance.templateId');
  const defOffset = r.u32le('templateInstance.definitionOffset');
  let template: Template;
  if (defOffset === r.pos) {
    // Definition written inline, right here: parse it, then continue after it.
    template = templateAt(ctx, defOffset, depth);
    r.seek(defOffset + 24 + template.dataSize, 'templateInstance.afterDefinition');
  } else {
    template = templateAt(ctx, defOffset, depth);
  }
  const values = readSubstitutionValues(ctx, r, depth);
  return { k: 3, template, values };
}

/** Substitution array: count, descriptors (size u16, type u8, pad u8), then the values. */
function readSubstitutionValues(ctx: ChunkContext, r: ByteReader, depth: number): SubstValue[] {
  const count = r.u32le('templateInstance.numberOfValues');
  checkLimit('evtx', 'MAX_SUBSTITUTIONS_PER_TEMPLATE', count, MAX_SUBSTITUTIONS_PER_TEMPLATE, r.absolute);
  r.need(count * 4, 'templateInstance.valueDescriptors');
  // One bounds check for the whole descriptor array, then plain byte reads (hot path).
  const b = r.bytes;
  const sizes = new Array<number>(count);
  const types = new Array<number>(count);
  for (let i = 0, p = r.pos; i < count; i++, p += 4) {
    sizes[i] = (b[p] as number) | ((b[p + 1] as number) << 8);
    types[i] = b[p + 2] as number;
  }
  r.pos += count * 4;
  const values = new Array<SubstValue>(count);
  for (let i = 0; i < count; i++) {
    const size = sizes[i] as number;
    const type = types[i] as number;
    const start = r.pos;
    r.need(size, 'substitution.value');
    if (type === VALUE_TYPE.binXml && size > 0) {
      const nodes = parseFragment(ctx, r.fork(start), start + size, depth + 1);
      values[i] = { k: 4, nodes };
    } else {
      values[i] = decodeValue(r, type, size, ctx.ansi);
    }
    r.pos = start + size;
  }
  return values;
}

interface Frame {
  el: TElement;
  /** The attribute receiving values (between an attribute token and the next one). */
  attr: TAttr | undefined;
}

/**
 * Parses tokens from `r.pos` until end-of-stream or `end` (chunk-relative), returning the
 * top-level nodes (elements, template instances). Throws `FormatError`.
 */
export function parseFragment(ctx: ChunkContext, r: ByteReader, end: number, depth: number, inTemplate = false): TNode[] {
  checkLimit('evtx', 'MAX_BINXML_DEPTH', depth, MAX_BINXML_DEPTH, r.absolute);
  const top: TNode[] = [];
  const stack: Frame[] = [];
  const push = (n: TNode): void => {
    const f = stack[stack.length - 1];
    if (f === undefined) top.push(n);
    else if (f.attr) f.attr.value.push(n);
    else f.el.children.push(n);
  };
  while (r.pos < end) {
    if (++ctx.tokens > MAX_TOKENS_PER_RECORD) {
      throw new LimitExceededError('evtx', 'MAX_TOKENS_PER_RECORD', ctx.tokens, MAX_TOKENS_PER_RECORD, r.absolute);
    }
    const at = r.pos;
    const tok = r.u8('binxml.token');
    const base = tok & ~TOKEN_MORE_FLAG;
    switch (base) {
      case TOKEN.endOfStream:
        if (stack.length > 0) throw err('INVALID', r, at, 'binxml.endOfStream', `end of stream inside element <${stack[stack.length - 1]?.el.name}>`);
        return top;
      case TOKEN.fragmentHeader:
        if (tok !== TOKEN.fragmentHeader) throw err('UNSUPPORTED_TOKEN', r, at, 'binxml.token', `token 0x${tok.toString(16)}`);
        r.skip(3, 'fragmentHeader');
        break;
      case TOKEN.openStartElement: {
        checkLimit('evtx', 'MAX_BINXML_DEPTH', depth + stack.length, MAX_BINXML_DEPTH, r.absolute);
        // The 2-byte dependency identifier is written only inside template definitions;
        // elements written inline (forwarded-event/WEC records, nested BinXML values such as
        // CAPI2's) start directly with the data size (samples: mdecrevoisier ID1116-1117,
        // omerbenamram MSExchange_Management_wec.evtx, CAPI2 EventID70).
        if (inTemplate) r.skip(2, 'openStartElement.dependencyId');
        r.skip(4, 'openStartElement.dataSize');
        const name = readName(ctx, r, 'openStartElement.nameOffset');
        if (tok & TOKEN_MORE_FLAG) r.skip(4, 'openStartElement.attributeListSize');
        const el: TElement = { k: 1, name, attrs: [], children: [] };
        const parent = stack[stack.length - 1];
        if (parent?.attr) throw err('INVALID', r, at, 'openStartElement', 'element inside an attribute value');
        push(el);
        stack.push({ el, attr: undefined });
        break;
      }
      case TOKEN.attribute: {
        const f = stack[stack.length - 1];
        if (f === undefined) throw err('INVALID', r, at, 'attribute', 'attribute outside an element');
        const name = readName(ctx, r, 'attribute.nameOffset');
        const attr: TAttr = { name, value: [] };
        f.el.attrs.push(attr);
        f.attr = attr;
        break;
      }
      case TOKEN.closeStartElement: {
        if (tok !== base) throw err('UNSUPPORTED_TOKEN', r, at, 'binxml.token', `token 0x${tok.toString(16)}`);
        const f = stack[stack.length - 1];
        if (f === undefined) throw err('INVALID', r, at, 'closeStartElement', 'no open element');
        f.attr = undefined;
        break;
      }
      case TOKEN.closeEmptyElement:
      case TOKEN.endElement:
        if (tok !== base) throw err('UNSUPPORTED_TOKEN', r, at, 'binxml.token', `token 0x${tok.toString(16)}`);
        if (stack.length === 0) throw err('INVALID', r, at, 'endElement', 'no open element');
        stack.pop();
        break;
      case TOKEN.value: {
        const type = r.u8('value.type');
        if (type === VALUE_TYPE.string) {
          const n = r.u16le('value.characterCount');
          push({ k: 0, t: VALUE_TYPE.string, v: r.utf16le(n, 'value.characters') });
        } else if (type === VALUE_TYPE.ansiString) {
          const n = r.u16le('value.characterCount');
          push({ k: 0, t: VALUE_TYPE.ansiString, v: ctx.ansi.decode(r.bytesAt(n, 'value.characters')) });
        } else {
          throw err('UNSUPPORTED_VALUE_TYPE', r, at, 'value.type', `value text of type 0x${type.toString(16)}`);
        }
        break;
      }
      case TOKEN.cdataSection: {
        const n = r.u16le('cdata.characterCount');
        push({ k: 0, t: NODE_TYPE.cdata, v: r.utf16le(n, 'cdata.characters') });
        break;
      }
      case TOKEN.charRef:
        push({ k: 0, t: NODE_TYPE.charRef, v: r.u16le('charRef.value') });
        break;
      case TOKEN.entityRef:
        push({ k: 0, t: NODE_TYPE.entityRef, v: readName(ctx, r, 'entityRef.nameOffset') });
        break;
      case TOKEN.piTarget: {
        if (tok !== base) throw err('UNSUPPORTED_TOKEN', r, at, 'binxml.token', `token 0x${tok.toString(16)}`);
        const target = readName(ctx, r, 'piTarget.nameOffset');
        let data = '';
        if (r.pos < end && r.u8At(r.pos, 'piData.token') === TOKEN.piData) {
          r.pos++;
          const n = r.u16le('piData.characterCount');
          data = r.utf16le(n, 'piData.characters');
        }
        const pi: Value = { k: 0, t: NODE_TYPE.pi, v: { target, data } };
        push(pi);
        break;
      }
      case TOKEN.templateInstance:
        if (tok !== base) throw err('UNSUPPORTED_TOKEN', r, at, 'binxml.token', `token 0x${tok.toString(16)}`);
        push(readTemplateInstance(ctx, r, depth + stack.length));
        break;
      case TOKEN.normalSubstitution:
      case TOKEN.optionalSubstitution: {
        if (tok !== base) throw err('UNSUPPORTED_TOKEN', r, at, 'binxml.token', `token 0x${tok.toString(16)}`);
        const index = r.u16le('substitution.id');
        const type = r.u8('substitution.valueType');
        const s: TSubst = { k: 2, index, type, optional: base === TOKEN.optionalSubstitution };
        push(s);
        break;
      }
      default:
        throw err('UNSUPPORTED_TOKEN', r, at, 'binxml.token', `unknown token 0x${tok.toString(16)}`);
    }
  }
  if (stack.length > 0) {
    throw new TruncatedError('evtx', `binxml (element <${stack[stack.length - 1]?.el.name}> not closed)`, r.absolute, 1, 0);
  }
  return top;
}
