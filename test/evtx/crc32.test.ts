import { describe, expect, it } from 'vitest';
import { crc32, crc32Js } from '../../parsers/evtx/crc32.js';

/** A deterministic byte pattern (xorshift), so the test needs no fixture. */
function bytesOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('crc32', () => {
  it('gives the known check value of "123456789" both ways', () => {
    const b = new TextEncoder().encode('123456789');
    expect(crc32(b)).toBe(0xcbf43926);
    expect(crc32Js(b)).toBe(0xcbf43926);
  });

  it('native and JavaScript agree on every length 0..70 and on chaining', () => {
    const b = bytesOf(70_000, 7);
    for (let n = 0; n <= 70; n++) expect(crc32(b.subarray(0, n))).toBe(crc32Js(b.subarray(0, n)));
    const whole = crc32Js(b);
    expect(crc32(b)).toBe(whole);
    expect(crc32(b.subarray(513), crc32(b.subarray(0, 513)))).toBe(whole);
    expect(crc32Js(b.subarray(513), crc32Js(b.subarray(0, 513)))).toBe(whole);
  });
});
