import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../parsers/common/index.js';
import { ImageDirectoryEntry, RvaMapper, parsePe, type PeInfo } from '../../parsers/pe/index.js';
import { buildPe } from './build-pe.js';
import { fixture } from './fixtures.js';

/** Parses and asserts the parser contract on bad input: a PeInfo or a FormatError, never a RangeError or TypeError. */
function parseOrFormatError(bytes: Uint8Array): PeInfo | FormatError {
  try {
    return parsePe(bytes);
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw new Error(`non-FormatError escaped parsePe: ${String(e)}`, { cause: e });
  }
}

const signed = fixture('xp_fixture_signed.dll');
const base = parsePe(signed);
const map = new RvaMapper(base.sections, base.fileAlignment, base.sectionAlignment, signed.byteLength);
const dirOffset = (i: number): number => map.toOffset(base.dataDirectories[i]?.virtualAddress ?? 0, 'test');
/** File offset of DataDirectory[i] in the optional header (PE32+: directories start at oh+112). */
const dataDirEntry = (i: number): number => base.ntHeaderOffset + 4 + 20 + 112 + i * 8;

function patched(edits: [offset: number, u32: number][]): Uint8Array {
  const b = new Uint8Array(signed);
  const v = new DataView(b.buffer);
  for (const [o, x] of edits) v.setUint32(o, x >>> 0, true);
  return b;
}

describe('PE hostile input: truncation', () => {
  it('truncating the signed ESP fixture at every length 0..n-1 yields a PeInfo or a FormatError', () => {
    let infos = 0;
    let errors = 0;
    // Stack capture dominates the cost of 18k throwing parses; the contract under test is the error class.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      for (let n = 0; n < signed.byteLength; n++) {
        const r = parseOrFormatError(signed.subarray(0, n));
        if (r instanceof FormatError) errors++;
        else infos++;
      }
    } finally {
      Error.stackTraceLimit = limit;
    }
    // Below the end of the section table the file is not a PE; past it, sub-structures degrade into diagnostics.
    expect(errors).toBeGreaterThan(0);
    expect(infos).toBeGreaterThan(signed.byteLength / 2);
  });

  it('a truncated file reports what it lost as diagnostics', () => {
    const r = parsePe(signed.subarray(0, 0x600));
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.exports).toEqual([]);
  });
});

describe('PE hostile input: crafted tables', () => {
  it('export name table pointing at the export directory itself, absurd counts', () => {
    const ed = dirOffset(ImageDirectoryEntry.Export);
    const edRva = base.dataDirectories[ImageDirectoryEntry.Export]?.virtualAddress ?? 0;
    const a = parseOrFormatError(
      patched([
        [ed + 32, edRva],
        [ed + 36, edRva],
      ]),
    );
    expect(a).not.toBeInstanceOf(FormatError);
    const b = parseOrFormatError(
      patched([
        [ed + 20, 0xffffffff],
        [ed + 24, 0xffffffff],
      ]),
    );
    expect(b).not.toBeInstanceOf(FormatError);
    expect((b as PeInfo).diagnostics.some((d) => d.code === 'LIMIT_EXCEEDED')).toBe(true);
  });

  it('export and import directories pointing outside the file', () => {
    const r = parsePe(
      patched([
        [dataDirEntry(ImageDirectoryEntry.Export), 0x7fff0000],
        [dataDirEntry(ImageDirectoryEntry.Import), 0xfffffff0],
      ]),
    );
    expect(r.exports).toEqual([]);
    expect(r.imports).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['TRUNCATED']));
  });

  it('an import lookup table pointing at the descriptor table itself ends (no hang)', () => {
    const id = dirOffset(ImageDirectoryEntry.Import);
    const idRva = base.dataDirectories[ImageDirectoryEntry.Import]?.virtualAddress ?? 0;
    const t0 = performance.now();
    const r = parseOrFormatError(
      patched([
        [id + 0, idRva],
        [id + 16, idRva],
      ]),
    );
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r).not.toBeInstanceOf(FormatError);
  });

  it('an import descriptor table that repeats itself stops with a diagnostic', () => {
    // Make descriptor 1 identical to descriptor 0.
    const id = dirOffset(ImageDirectoryEntry.Import);
    const b = new Uint8Array(signed);
    b.copyWithin(id + 20, id, id + 20);
    const r = parsePe(b);
    expect(r.diagnostics.some((d) => d.message.includes('repeated import descriptor'))).toBe(true);
  });

  it('a resource directory whose subdirectory points back at the root is a CYCLE diagnostic', () => {
    const rd = dirOffset(ImageDirectoryEntry.Resource);
    // First entry of the root: id 16 (RT_VERSION), subdirectory offset 0 (= the root itself).
    const r = parsePe(
      patched([
        [rd + 16, 16],
        [rd + 20, 0x80000000],
      ]),
    );
    expect(r.versionInfo).toBeNull();
    expect(r.diagnostics.some((d) => d.code === 'CYCLE')).toBe(true);
  });

  it('absurd header values: e_lfanew past the end, 65535 sections, 0xffffffff directories', () => {
    expect(parseOrFormatError(patched([[0x3c, 0xfffffff0]]))).toBeInstanceOf(FormatError);
    const many = new Uint8Array(signed);
    new DataView(many.buffer).setUint16(base.ntHeaderOffset + 6, 0xffff, true);
    const r = parsePe(many);
    expect(r.diagnostics.some((d) => d.what.includes('NumberOfSections') || d.what.startsWith('section'))).toBe(true);
    const nrva = base.ntHeaderOffset + 4 + 20 + 108;
    const r2 = parsePe(patched([[nrva, 0xffffffff]]));
    expect(r2.dataDirectories.length).toBe(16);
  });

  it('a certificate table with a broken PKCS#7 keeps present=true and says why', () => {
    const sec = base.signature.offset;
    const r = parsePe(patched([[sec + 8, 0x00ff8430]]));
    expect(r.signature.present).toBe(true);
    expect(r.signature.signerSubject).toBeNull();
    expect(r.diagnostics.some((d) => d.what.startsWith('security'))).toBe(true);
  });
});

describe('PE hostile input: property-based mutations (fast-check)', () => {
  // Real mingw DLLs plus a synthetic PE32 (32-bit thunks, ordinal imports) as mutation seeds.
  const pe32 = buildPe({
    is64: false,
    dllName: 's.dll',
    exports: [
      { name: 'a', ordinal: 1 },
      { name: null, ordinal: 3 },
    ],
    imports: [{ dll: 'opends60.dll', functions: [{ name: 'srv_rpcparams' }, { ordinal: 7 }] }],
  });
  const seeds = [signed, fixture('plain.dll'), pe32];
  const BUDGET_MS = 2000;
  it('flip / zero / splice / absurd u32 mutations: only FormatError, within the time budget', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
      fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x1000), fc.nat()) }),
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), len: fc.integer({ min: 1, max: 256 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.boolean(), (seed, muts, headerBias) => {
        const src = seeds[seed] ?? signed;
        const b = new Uint8Array(src);
        const v = new DataView(b.buffer);
        // Half the runs aim at the first 1 KiB (headers, directories), where most pointers live.
        const pos = (n: number): number => n % (headerBias ? Math.min(1024, b.byteLength) : b.byteLength);
        for (const m of muts) {
          const at = pos(m.at);
          if (m.kind === 'flip') b[at] = (b[at] ?? 0) ^ (1 << m.bit);
          else if (m.kind === 'zero') b.fill(0, at, at + m.len);
          else if (m.kind === 'u32' && at + 4 <= b.byteLength) v.setUint32(at, m.value >>> 0, true);
          else if (m.kind === 'splice') b.copyWithin(at, pos(m.from), pos(m.from) + m.len);
        }
        const t0 = performance.now();
        parseOrFormatError(b);
        expect(performance.now() - t0).toBeLessThan(BUDGET_MS);
      }),
      { numRuns: 1500, seed: 20261126 },
    );
  });
});
