import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../parsers/common/index.js';
import { ansiDecoder, parseEvtxChunk, parseEvtxChunkJsonl } from '../../parsers/evtx/index.js';
import { requireCorpus } from '../support/paths.js';

/**
 * Property-based mutation fuzzing of `parseEvtxChunk`, seeded from real chunks:
 * flips, zeroed ranges, splices and truncations. Properties: nothing is thrown, every failure
 * is a FormatError (no internal error wrapped), the record count stays within the bytes
 * available, each run finishes within a time budget, and the jsonl fast path (compiled
 * plans, raw values) writes exactly `JSON.stringify(event)` for every record the normal path
 * reads, and fails the same records.
 */
const UTF8 = new TextEncoder();
const DIR = requireCorpus('evtx');
const SEEDS: [string, number][] = [
  ['4renwald_evtx-python/samples/Security.evtx', 0],
  ['omerbenamram_evtx/samples/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx', 0],
  ['mdecrevoisier_EVTX-to-MITRE-Attack/Antivirus/ID1151-Defender health status.evtx', 1],
  ['Velocidex_velociraptor/artifacts/testdata/files/EID4104_PowershellScriptblock.evtx', 0],
];

function chunkOf(file: string, index: number): Uint8Array {
  const b = readFileSync(join(DIR, file));
  return new Uint8Array(b.subarray(0x1000 + index * 0x10000, 0x1000 + (index + 1) * 0x10000));
}

type Mutation = { kind: 'flip'; at: number; xor: number } | { kind: 'zero'; at: number; len: number } | { kind: 'splice'; from: number; to: number; len: number } | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(0xffff), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.nat(0xffff), len: fc.integer({ min: 1, max: 512 }) }),
  fc.record({ kind: fc.constant('splice' as const), from: fc.nat(0xffff), to: fc.nat(0xffff), len: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(0xffff) }),
);

function apply(seed: Uint8Array, muts: Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of muts) {
    if (m.kind === 'flip') b[m.at % b.length] = ((b[m.at % b.length] as number) ^ m.xor) & 0xff;
    else if (m.kind === 'zero') b.fill(0, m.at % b.length, Math.min(b.length, (m.at % b.length) + m.len));
    else if (m.kind === 'splice') b.copyWithin(m.to % b.length, m.from % b.length, Math.min(b.length, (m.from % b.length) + m.len));
    else b = b.slice(0, m.at % (b.length + 1));
    if (b.length === 0) break;
  }
  return b;
}

/** Mutations aimed at the structures that matter: headers, first records, templates. */
function biased(m: Mutation): Mutation {
  if (m.kind === 'flip' && m.at % 3 === 0) return { ...m, at: m.at % 0x1400 };
  return m;
}

describe('evtx chunk fuzzing (fast-check, seeded from real chunks)', () => {
  for (const [file, index] of SEEDS) {
    it(`never throws on mutations of ${file.split('/').pop()} chunk ${index}`, { timeout: 120_000 }, () => {
      const seed = chunkOf(file, index);
      const ansi = ansiDecoder();
      const baseline = parseEvtxChunk(seed, { chunkIndex: 0, fileOffset: 0x1000, scanSlack: true, includeRecovered: true, strict: false, ansi });
      expect(baseline.outcomes.some((o) => o.ok)).toBe(true);
      fc.assert(
        fc.property(fc.array(mutation.map(biased), { minLength: 1, maxLength: 8 }), (muts) => {
          const bytes = apply(seed, muts);
          const t0 = performance.now();
          const res = parseEvtxChunk(bytes, { chunkIndex: 0, fileOffset: 0x1000, scanSlack: true, includeRecovered: true, strict: false, ansi });
          const ms = performance.now() - t0;
          expect(ms).toBeLessThan(5_000); // a hang guard, not a benchmark
          expect(res.outcomes.length).toBeLessThanOrEqual(Math.ceil(bytes.length / 28) + 1);
          for (const o of res.outcomes) {
            if (o.ok) continue;
            expect(o.error).toBeInstanceOf(FormatError);
            expect(o.error.message).not.toMatch(/internal error/);
          }
          const fast = parseEvtxChunkJsonl(bytes, { chunkIndex: 0, fileOffset: 0x1000, scanSlack: true, includeRecovered: true, strict: false, ansi });
          expect(fast.outcomes.length).toBe(res.outcomes.length);
          res.outcomes.forEach((o, i) => {
            const f = fast.outcomes[i];
            if (o.ok && f?.ok) expect(Buffer.compare(f.record, UTF8.encode(JSON.stringify(o.record.event)))).toBe(0);
            else if (!o.ok && f && !f.ok) expect(f.error.message).toBe(o.error.message);
            else expect(f?.ok).toBe(o.ok);
          });
        }),
        { numRuns: 300, seed: 0x5eed + index, interruptAfterTimeLimit: 20_000 },
      );
    });
  }
});
