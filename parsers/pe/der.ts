import type { ByteReader } from '../common/byte-reader.js';
import { FormatError, LimitExceededError } from '../common/errors.js';
import { MAX_DER_DEPTH } from './limits.js';

/** One DER TLV (ITU-T X.690 §8.1): tag byte, definite length, contents at [start, end). */
export interface DerNode {
  tag: number;
  /** Offset of the tag byte in the reader's bytes. */
  at: number;
  start: number;
  end: number;
}

export const DerTag = {
  Integer: 0x02,
  OctetString: 0x04,
  Oid: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  T61String: 0x14,
  Ia5String: 0x16,
  BmpString: 0x1e,
  Sequence: 0x30,
  Set: 0x31,
  ContextConstructed0: 0xa0,
} as const;

/** Reads the TLV at `at`, which must end by `limit`. Indefinite lengths (BER) are rejected. */
export function readDer(r: ByteReader, at: number, limit: number): DerNode {
  const tag = r.u8At(at, 'der.tag');
  if ((tag & 0x1f) === 0x1f) throw new FormatError({ code: 'UNSUPPORTED_TOKEN', format: 'pe', offset: r.baseOffset + at, what: 'der.tag (high tag number)' });
  const first = r.u8At(at + 1, 'der.length');
  let len = first;
  let start = at + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4)
      throw new FormatError({
        code: 'UNSUPPORTED_VALUE_TYPE',
        format: 'pe',
        offset: r.baseOffset + at,
        what: 'der.length',
        message: `pe: DER length form ${n === 0 ? 'indefinite' : `${n} bytes`} not supported`,
      });
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + r.u8At(at + 2 + i, 'der.length');
    start = at + 2 + n;
  }
  const end = start + len;
  if (end > limit) r.need(len, 'der.contents', start); // throws TruncatedError when past the bytes
  if (end > limit) throw new FormatError({ code: 'INVALID', format: 'pe', offset: r.baseOffset + at, what: 'der.length', message: 'pe: DER element overruns its parent' });
  return { tag, at, start, end };
}

/** Children of a constructed node, in order (each child advances the cursor: no-progress is impossible). */
export function derChildren(r: ByteReader, node: DerNode, depth: number): DerNode[] {
  if (depth > MAX_DER_DEPTH) throw new LimitExceededError('pe', 'MAX_DER_DEPTH', depth, MAX_DER_DEPTH, r.baseOffset + node.at);
  const out: DerNode[] = [];
  let p = node.start;
  while (p < node.end) {
    const c = readDer(r, p, node.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** Dotted OID text from an OID node's contents. */
export function decodeOid(bytes: Uint8Array, node: DerNode): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = node.start; i < node.end; i++) {
    const b = bytes[i] ?? 0;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
