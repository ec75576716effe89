/**
 * The streaming zip-entry source against the bytes it streams: random reads in any order
 * over chunks of awkward sizes return exactly the bytes asked for; an entry that inflates
 * past its declared size, a read over the cap and endless backward reads are refused by name.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_ENTRY_IN_MEMORY_BYTES, MAX_ENTRY_READ_BYTES, MAX_ENTRY_REOPENS, zipEntrySource } from '../../collector/zip-entry-source.js';

const SIZE = MAX_ENTRY_IN_MEMORY_BYTES + 3 * 65_536 + 17;
const bytes = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i++) bytes[i] = (i * 131 + (i >> 9)) & 0xff;

/** A stream of `data` in chunks of the given sizes (cycled). */
function chunked(data: Buffer, sizes: readonly number[]): Readable {
  const parts: Buffer[] = [];
  for (let at = 0, k = 0; at < data.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length] ?? 1);
    parts.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(parts, { objectMode: true });
}

const noReadAll = (): Promise<Uint8Array> => Promise.reject(new Error('not used for large entries'));

describe('zip entry source (streamed)', () => {
  it('random reads over awkward chunk sizes return the exact bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 977, max: 200_000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.record({ at: fc.nat({ max: SIZE + 10 }), n: fc.nat({ max: 300_000 }) }), { minLength: 1, maxLength: 12 }),
        async (sizes, reads) => {
          const src = zipEntrySource('x.evtx', SIZE, () => Promise.resolve(chunked(bytes, sizes)), noReadAll);
          for (const r of reads) {
            const got = await src.read(r.at, r.n);
            const start = Math.min(r.at, SIZE);
            expect(Buffer.from(got).equals(bytes.subarray(start, Math.min(start + r.n, SIZE)))).toBe(true);
          }
          await src.close();
        },
      ),
      { numRuns: 15, seed: 14 },
    );
  });

  it('refuses a read over the cap, bytes past the declared size, and endless backward reads', async () => {
    const big = zipEntrySource('big.dll', MAX_ENTRY_READ_BYTES + 1, () => Promise.resolve(chunked(bytes, [65_536])), noReadAll);
    await expect(big.read(0, MAX_ENTRY_READ_BYTES + 1)).rejects.toThrow(`larger than ${MAX_ENTRY_READ_BYTES} bytes`);
    const liar = zipEntrySource('liar.evtx', SIZE - 1000, () => Promise.resolve(chunked(bytes, [65_536])), noReadAll);
    await expect(liar.read(0, SIZE)).rejects.toThrow('inflates past its declared');
    const back = zipEntrySource('back.evtx', SIZE, () => Promise.resolve(chunked(bytes, [65_536])), noReadAll);
    await expect(
      (async () => {
        for (let i = 0; i <= MAX_ENTRY_REOPENS + 1; i++) {
          await back.read(SIZE - 10, 10);
          await back.read(0, 10);
        }
      })(),
    ).rejects.toThrow(`more than ${MAX_ENTRY_REOPENS} backward reads`);
  });

  it('a small entry is read whole once, with the cap passed down', async () => {
    const caps: number[] = [];
    const src = zipEntrySource(
      'small.txt',
      5,
      () => Promise.reject(new Error('not streamed')),
      (cap) => {
        caps.push(cap);
        return Promise.resolve(new Uint8Array([1, 2, 3, 4, 5]));
      },
    );
    expect([...(await src.read(1, 3))]).toEqual([2, 3, 4]);
    expect([...(await src.read(4, 9))]).toEqual([5]);
    expect(caps).toEqual([MAX_ENTRY_IN_MEMORY_BYTES]);
  });
});
