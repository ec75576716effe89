import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink, isEmptyUtf16 } from '../../parsers/evtx/binxml/json-bytes.js';
import { decodeGuid, decodeSid, decodeUtf16z, filetimeHalvesToIso } from '../../parsers/evtx/binxml/values.js';
import { isoWithPrecision } from '../../parsers/common/index.js';

/**
 * The jsonl writers (parsers/evtx/binxml/json-bytes.ts) against what the normal path does:
 * String(n), BigInt's toString(16), JSON.stringify escaping, TextDecoder UTF-16, values.ts.
 */
const UTF8 = new TextEncoder();
const text = (write: (s: ByteSink) => void): Uint8Array => {
  const s = new ByteSink();
  write(s);
  return s.buf.slice(0, s.pos);
};
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

describe('ByteSink writers = the normal path', () => {
  it('int(n) = String(n) for every safe integer', () => {
    const edges = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 4503599627370497];
    for (const n of edges) expect(new TextDecoder().decode(text((s) => s.int(n)))).toBe(String(n));
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) =>
        same(
          text((s) => s.int(n)),
          UTF8.encode(String(n)),
        ),
      ),
      { numRuns: 2000 },
    );
  });

  it('hex(hi, lo) = "0x" + BigInt toString(16)', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.boolean(), (hi, lo, zeroHi) => {
        const h = zeroHi ? 0 : hi;
        return same(
          text((s) => s.hex(h, lo)),
          UTF8.encode(`0x${((BigInt(h) << 32n) | BigInt(lo)).toString(16)}`),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('jsonText(s) = JSON.stringify(s) without quotes, as UTF-8 (controls, quotes, surrogates)', () => {
    const arb = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }));
    fc.assert(
      fc.property(arb, (v) =>
        same(
          text((s) => s.jsonText(v)),
          UTF8.encode(JSON.stringify(v).slice(1, -1)),
        ),
      ),
      { numRuns: 3000 },
    );
  });

  it('utf16Json(bytes) = JSON.stringify(decodeUtf16z(bytes)), and isEmptyUtf16 = (that string is empty)', () => {
    const units = fc.array(fc.oneof(fc.constantFrom(0, 0xfeff, 0xd800, 0xdc00, 0xdbff, 0xdfff, 0x22, 0x5c, 0x0a, 0x1f, 0x7f, 0x80, 0x7ff, 0x800), fc.integer({ min: 0, max: 0xffff })), {
      maxLength: 24,
    });
    fc.assert(
      fc.property(units, fc.boolean(), (us, odd) => {
        const b = new Uint8Array(us.length * 2 + (odd ? 1 : 0));
        us.forEach((u, i) => {
          b[i * 2] = u & 0xff;
          b[i * 2 + 1] = u >> 8;
        });
        if (odd) b[b.length - 1] = 0x41;
        const want = decodeUtf16z(b);
        return (
          same(
            text((s) => s.utf16Json(b, 0, b.length)),
            UTF8.encode(JSON.stringify(want).slice(1, -1)),
          ) && isEmptyUtf16(b, 0, b.length) === (want === '')
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('filetimeJson(lo, hi) = isoWithPrecision(filetimeHalvesToIso(lo, hi), 6), false out of the Date range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (ft) => {
        const lo = Number(ft & 0xffffffffn);
        const hi = Number(ft >> 32n);
        const iso = filetimeHalvesToIso(lo, hi);
        const s = new ByteSink();
        const ok = s.filetimeJson(lo, hi);
        if (iso === undefined) return !ok && s.pos === 0;
        return ok && same(s.buf.slice(0, s.pos), UTF8.encode(isoWithPrecision(iso, 6)));
      }),
      { numRuns: 3000 },
    );
  });

  it('guid and sid = values.ts decodeGuid / decodeSid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (g) =>
        same(
          text((s) => s.guid(g, 0)),
          UTF8.encode(decodeGuid(g, 0)),
        ),
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.uint8Array({ minLength: 8 + 15 * 4, maxLength: 8 + 15 * 4 }), (count, b) => {
        b[1] = count;
        return same(
          text((s) => s.sid(b, 0)),
          UTF8.encode(decodeSid(b, 0, b.length) as string),
        );
      }),
      { numRuns: 500 },
    );
  });
});
