import { ByteReader } from '../common/byte-reader.js';
import { LimitExceededError } from '../common/errors.js';
import { MAX_NAME_BYTES } from './limits.js';

const LATIN1 = new TextDecoder('latin1');

/** Bytes up to the first NUL, as Latin-1 (section names). */
export function LATIN1_NUL_TRIMMED(b: Uint8Array): string {
  const end = b.indexOf(0);
  return LATIN1.decode(end < 0 ? b : b.subarray(0, end));
}

/**
 * ASCIIZ string at file offset `offset`, at most MAX_NAME_BYTES. A string running to the end
 * of the file without a NUL is a TruncatedError; a longer one a LimitExceededError.
 */
export function readAsciiz(bytes: Uint8Array, offset: number, what: string): string {
  const r = new ByteReader(bytes, 0, 'pe');
  r.need(1, what, offset);
  const limit = Math.min(bytes.byteLength, offset + MAX_NAME_BYTES + 1);
  const window = bytes.subarray(offset, limit);
  const end = window.indexOf(0);
  if (end < 0) {
    if (limit === bytes.byteLength) r.need(window.byteLength + 1, what, offset);
    throw new LimitExceededError('pe', `MAX_NAME_BYTES (${what})`, window.byteLength, MAX_NAME_BYTES, offset);
  }
  return LATIN1.decode(window.subarray(0, end));
}
