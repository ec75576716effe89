import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filetimeToIso } from '../../parsers/common/index.js';
import { filetimeHalvesToIso } from '../../parsers/evtx/binxml/values.js';

/**
 * The record header's timestamp is decoded from the two 32-bit halves without BigInt (hot
 * path); it must be the same text as the common BigInt decoder for every 64-bit value.
 */
describe('filetimeHalvesToIso', () => {
  const split = (t: bigint): [number, number] => [Number(t & 0xffffffffn), Number(t >> 32n)];

  it('equals filetimeToIso for any 64-bit FILETIME', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }), (t) => {
        const [lo, hi] = split(t);
        expect(filetimeHalvesToIso(lo, hi)).toBe(filetimeToIso(t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('equals filetimeToIso over the range Date can show (years 1601..275760)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2_650_467_744_000_000_000n + 864_000_000_000n }), (t) => {
        const [lo, hi] = split(t);
        expect(filetimeHalvesToIso(lo, hi)).toBe(filetimeToIso(t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('equals filetimeToIso for runs of times within the same second (prefix cache)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2_650_467_744_000_000_000n }), fc.array(fc.integer({ min: -20_000_000, max: 20_000_000 }), { maxLength: 8 }), (t0, deltas) => {
        for (const d of deltas) {
          const t = t0 + BigInt(d) < 0n ? 0n : t0 + BigInt(d);
          const [lo, hi] = split(t);
          expect(filetimeHalvesToIso(lo, hi)).toBe(filetimeToIso(t));
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('equals filetimeToIso at the edges', () => {
    const edges = [0n, 1n, 9_999n, 10_000n, 116_444_736_000_000_000n, 131_500_000_000_000_001n, 0xffffffffn, 0x100000000n, 0xffffffffffffffffn, 2_650_467_743_999_999_999n, 2_650_467_744_000_000_000n];
    for (const t of edges) {
      const [lo, hi] = split(t);
      expect(filetimeHalvesToIso(lo, hi), String(t)).toBe(filetimeToIso(t));
    }
  });
});
