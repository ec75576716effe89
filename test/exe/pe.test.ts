import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../parsers/common/index.js';
import { DATA_DIRECTORY, RESOURCE_TYPE, computePeChecksum, dataDirectory, findResource, readPeLayout, stripAuthenticode, writePeChecksum } from '../../scripts/build-exe/pe.js';
import { requireOracle, runPython } from '../support/oracles.js';
import { REPO_ROOT } from '../support/paths.js';

// The build's PE routines (scripts/build-exe/pe.ts): Authenticode removal, checksum, resource
// lookup. Real inputs: the PE fixtures (xp_fixture_signed.dll is xp_fixture.dll signed by
// osslsigncode, test/fixtures/pe/src/build.sh) and sea_blob.exe, a tiny mingw-w64 exe (same
// recipe, committed so CI needs no compiler) that carries an RCDATA resource named like Node's
// SEA blob, holding sea_blob.bin.

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'pe');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const BLOB = new Uint8Array(readFileSync(join(FIXTURES, 'src', 'sea_blob.bin')));
const exeWithBlob = fixture('sea_blob.exe');

let tmp = '';

/** pefile's view (fast_load: a full load re-serialises structures and changes the bytes). */
function pefileChecksum(path: string): { stored: number; generated: number; security: number[] } {
  const out = runPython(
    'import json,sys,pefile\npe=pefile.PE(sys.argv[1],fast_load=True)\nd=pe.OPTIONAL_HEADER.DATA_DIRECTORY[4]\n' +
      'print(json.dumps({"stored":pe.OPTIONAL_HEADER.CheckSum,"generated":pe.generate_checksum(),"security":[d.VirtualAddress,d.Size]}))',
    [path],
  );
  return JSON.parse(out) as { stored: number; generated: number; security: number[] };
}

function onlyFormatErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
  }
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'espy-pe-test-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('stripAuthenticode', () => {
  it('turns the signed fixture back into the unsigned one, byte for byte (after the checksum)', () => {
    const signed = fixture('xp_fixture_signed.dll');
    const unsigned = fixture('xp_fixture.dll');
    const before = dataDirectory(signed, readPeLayout(signed), DATA_DIRECTORY.SECURITY);
    expect(before.size).toBeGreaterThan(0);
    const { image, removedBytes } = stripAuthenticode(signed.slice());
    expect(removedBytes).toBe(signed.byteLength - unsigned.byteLength);
    expect(dataDirectory(image, readPeLayout(image), DATA_DIRECTORY.SECURITY)).toEqual({ address: 0, size: 0 });
    const fixed = image.slice();
    writePeChecksum(fixed);
    expect(Buffer.from(fixed).equals(Buffer.from(unsigned))).toBe(true);
  });

  it('leaves an unsigned image alone', () => {
    const unsigned = fixture('xp_fixture.dll');
    const { image, removedBytes } = stripAuthenticode(unsigned.slice());
    expect(removedBytes).toBe(0);
    expect(Buffer.from(image).equals(Buffer.from(unsigned))).toBe(true);
  });

  it('refuses a certificate table that is not at the end of the file', () => {
    const signed = fixture('xp_fixture_signed.dll');
    const extended = new Uint8Array(signed.byteLength + 16);
    extended.set(signed);
    extended.fill(0x41, signed.byteLength);
    expect(() => stripAuthenticode(extended)).toThrow(FormatError);
  });

  it('refuses a certificate table that lies outside the file', () => {
    const signed = fixture('xp_fixture_signed.dll');
    expect(() => stripAuthenticode(signed.slice(0, signed.byteLength - 100))).toThrow(FormatError);
  });
});

describe('computePeChecksum', () => {
  it('matches the stored CheckSum of the fixtures (set by pefile and osslsigncode)', () => {
    for (const name of ['xp_fixture.dll', 'xp_fixture_signed.dll']) {
      const b = fixture(name);
      const l = readPeLayout(b);
      expect(l.checkSum).not.toBe(0);
      expect(computePeChecksum(b, l.checkSumOffset), name).toBe(l.checkSum);
    }
  });

  it('agrees with python3-pefile on even and odd lengths', () => {
    if (!requireOracle('python3')) return;
    const base = fixture('plain.dll');
    for (const extra of [0, 1, 2, 3, 5]) {
      const b = new Uint8Array(base.byteLength + extra);
      b.set(base);
      b.fill(0xa5, base.byteLength);
      const path = join(tmp, `plain+${extra}.dll`);
      writeFileSync(path, b);
      const oracle = pefileChecksum(path);
      expect(computePeChecksum(b, readPeLayout(b).checkSumOffset), `+${extra} bytes`).toBe(oracle.generated);
      const fixed = b.slice();
      writePeChecksum(fixed);
      writeFileSync(path, fixed);
      const after = pefileChecksum(path);
      expect(after.stored).toBe(after.generated);
    }
  });
});

describe('findResource', () => {
  it('finds the RCDATA NODE_SEA_BLOB resource of a mingw-linked exe, byte-exact', () => {
    const found = findResource(exeWithBlob, RESOURCE_TYPE.RCDATA, 'NODE_SEA_BLOB');
    expect(found && Buffer.from(found).equals(Buffer.from(BLOB))).toBe(true);
    expect(findResource(exeWithBlob, RESOURCE_TYPE.RCDATA, 'node_sea_blob')?.byteLength).toBe(BLOB.byteLength);
    expect(findResource(exeWithBlob, RESOURCE_TYPE.RCDATA, 'MISSING')).toBeUndefined();
    expect(findResource(exeWithBlob, 3, 'NODE_SEA_BLOB')).toBeUndefined();
  });

  it('returns undefined for an image without resources', () => {
    expect(findResource(fixture('plain.dll'), RESOURCE_TYPE.RCDATA, 'NODE_SEA_BLOB')).toBeUndefined();
  });

  it('reports a resource directory that points back at the root as a CYCLE', () => {
    const b = exeWithBlob.slice();
    const l = readPeLayout(b);
    const dir = dataDirectory(b, l, DATA_DIRECTORY.RESOURCE);
    const sec = l.sections.find((s) => dir.address >= s.virtualAddress && dir.address < s.virtualAddress + s.sizeOfRawData);
    expect(sec).toBeDefined();
    const base = (sec?.pointerToRawData ?? 0) + dir.address - (sec?.virtualAddress ?? 0);
    const v = new DataView(b.buffer);
    const entries = v.getUint16(base + 12, true) + v.getUint16(base + 14, true);
    for (let i = 0; i < entries; i++) {
      const e = base + 16 + i * 8;
      if (v.getUint32(e, true) === RESOURCE_TYPE.RCDATA) v.setUint32(e + 4, 0x80000000, true);
    }
    expect(() => findResource(b, RESOURCE_TYPE.RCDATA, 'NODE_SEA_BLOB')).toThrow(expect.objectContaining({ code: 'CYCLE' }));
  });
});

describe('hostile images', () => {
  it('throws only FormatError at every truncation length', () => {
    const inputs = [fixture('xp_fixture_signed.dll'), exeWithBlob];
    for (const full of inputs) {
      for (let n = 0; n < full.byteLength; n += n < 1024 ? 1 : 61) {
        const cut = full.slice(0, n);
        onlyFormatErrors(() => readPeLayout(cut));
        onlyFormatErrors(() => findResource(cut, RESOURCE_TYPE.RCDATA, 'NODE_SEA_BLOB'));
        onlyFormatErrors(() => stripAuthenticode(cut.slice()));
      }
    }
  });

  it('throws only FormatError on mutated headers and resource tables (fast-check)', () => {
    const seed = exeWithBlob;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.nat({ max: 1023 }), fc.nat({ max: seed.byteLength - 1 })), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 24 }), (edits) => {
        const b = seed.slice();
        for (const [at, value] of edits) b[at] = value;
        onlyFormatErrors(() => readPeLayout(b));
        onlyFormatErrors(() => findResource(b, RESOURCE_TYPE.RCDATA, 'NODE_SEA_BLOB'));
        onlyFormatErrors(() => stripAuthenticode(b.slice()));
      }),
      { numRuns: 300 },
    );
  });
});
