import * as zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as used by EVTX file and chunk checksums. */

/**
 * Slicing-by-8 tables (Intel's "slicing-by-8" CRC): TABLES[k][b] is the CRC of byte b followed
 * by k zero bytes, so eight input bytes fold in with eight lookups and no per-byte shift
 * chain. Every chunk's records are checksummed, so this is on the dump's hot path.
 */
const TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/**
 * The JavaScript CRC-32: continues a CRC over `bytes` (pass the previous result as `crc`, 0
 * to start). Kept for Node versions without `zlib.crc32` and as the reference the native one
 * is tested against.
 */
export function crc32Js(bytes: Uint8Array, crc = 0): number {
  const t = TABLES;
  let c = ~crc;
  let i = 0;
  const n = bytes.length;
  const end8 = n - (n & 7);
  for (; i < end8; i += 8) {
    const lo = c ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
    c =
      (t[1792 + (lo & 0xff)] as number) ^
      (t[1536 + ((lo >>> 8) & 0xff)] as number) ^
      (t[1280 + ((lo >>> 16) & 0xff)] as number) ^
      (t[1024 + (lo >>> 24)] as number) ^
      (t[768 + (bytes[i + 4] as number)] as number) ^
      (t[512 + (bytes[i + 5] as number)] as number) ^
      (t[256 + (bytes[i + 6] as number)] as number) ^
      (t[bytes[i + 7] as number] as number);
  }
  for (; i < n; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Node's native CRC-32 (same polynomial and chaining; Node >= 20.15 and 22.2), several times
 * faster than the table loop: every chunk's records are checksummed, 1 GiB per 1 GiB log.
 */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Continues a CRC-32 over `bytes` (pass the previous result as `crc`, 0 to start). */
export const crc32: (bytes: Uint8Array, crc?: number) => number = typeof native === 'function' ? (bytes, crc = 0) => native(bytes, crc) >>> 0 : crc32Js;
