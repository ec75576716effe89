/**
 * A small synthetic PE builder for tests: PE32 or PE32+ DLLs with one `.rdata` section holding
 * an export table and an import table (by name and by ordinal). Used where no real file of
 * that shape is available in CI (Debian ships no 32-bit mingw toolchain here).
 *
 *   0x000 IMAGE_DOS_HEADER (e_lfanew = lfanew)
 *   lfanew 'PE\0\0' | IMAGE_FILE_HEADER (20) | optional header (PE32: 224, PE32+: 240) | section header (40)
 *   0x400 raw data of .rdata, mapped at RVA 0x1000
 */
export interface BuildPeSpec {
  is64: boolean;
  lfanew?: number;
  dllName: string;
  exports: { name: string | null; ordinal: number }[];
  imports: { dll: string; functions: ({ name: string } | { ordinal: number })[] }[];
  timeDateStamp?: number;
}

export const SECTION_RVA = 0x1000;
export const SECTION_RAW = 0x400;

export function buildPe(spec: BuildPeSpec): Uint8Array {
  const lfanew = spec.lfanew ?? 0x80;
  const optSize = spec.is64 ? 240 : 224;
  const data: number[] = [];
  const at = (): number => SECTION_RVA + data.length;
  const put = (bytes: ArrayLike<number>): number => {
    const rva = at();
    for (let i = 0; i < bytes.length; i++) data.push(bytes[i] ?? 0);
    return rva;
  };
  const align = (n: number): void => {
    while (data.length % n) data.push(0);
  };
  const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
  const asciiz = (s: string): number[] => [...Buffer.from(s, 'latin1'), 0];
  const patch = (rva: number, bytes: number[]): void => {
    for (let i = 0; i < bytes.length; i++) data[rva - SECTION_RVA + i] = bytes[i] ?? 0;
  };

  // Export directory (40 bytes) then its tables.
  const ordinals = spec.exports.map((e) => e.ordinal);
  const base = ordinals.length ? Math.min(...ordinals) : 1;
  const nFunctions = ordinals.length ? Math.max(...ordinals) - base + 1 : 0;
  const named = spec.exports.filter((e) => e.name !== null).sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1));
  const expDir = put(new Array(40).fill(0));
  const eat = put(new Array(nFunctions * 4).fill(0));
  for (const e of spec.exports) patch(eat + (e.ordinal - base) * 4, u32(0x2000 + e.ordinal * 16)); // code RVAs (outside the section: fine)
  const namePtrs = put(new Array(named.length * 4).fill(0));
  const nameOrds = put(new Array(named.length * 2).fill(0));
  named.forEach((e, i) => {
    patch(namePtrs + i * 4, u32(put(asciiz(e.name ?? ''))));
    patch(nameOrds + i * 2, u16(e.ordinal - base));
  });
  const dllNameRva = put(asciiz(spec.dllName));
  patch(expDir, [...u32(0), ...u32(0), ...u16(0), ...u16(0), ...u32(dllNameRva), ...u32(base), ...u32(nFunctions), ...u32(named.length), ...u32(eat), ...u32(namePtrs), ...u32(nameOrds)]);
  const expSize = at() - expDir;
  align(8);

  // Import descriptors (20 bytes each + a zero one), lookup tables, hint/name entries.
  const impDir = put(new Array((spec.imports.length + 1) * 20).fill(0));
  const w = spec.is64 ? 8 : 4;
  spec.imports.forEach((imp, i) => {
    align(8);
    const ilt = put(new Array((imp.functions.length + 1) * w).fill(0));
    imp.functions.forEach((f, j) => {
      let entry: number[];
      if ('ordinal' in f) entry = spec.is64 ? [...u32(f.ordinal), ...u32(0x80000000)] : u32((0x80000000 | f.ordinal) >>> 0);
      else {
        align(2);
        const hn = put([...u16(j), ...asciiz(f.name)]);
        entry = spec.is64 ? [...u32(hn), ...u32(0)] : u32(hn);
      }
      patch(ilt + j * w, entry);
    });
    const name = put(asciiz(imp.dll));
    patch(impDir + i * 20, [...u32(ilt), ...u32(0), ...u32(0), ...u32(name), ...u32(ilt)]);
  });
  align(0x200);
  const rawSize = data.length;

  const headersSize = SECTION_RAW;
  const out = new Uint8Array(SECTION_RAW + rawSize);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x5a4d, true);
  v.setUint32(0x3c, lfanew, true);
  v.setUint32(lfanew, 0x00004550, true);
  const fh = lfanew + 4;
  v.setUint16(fh, spec.is64 ? 0x8664 : 0x014c, true);
  v.setUint16(fh + 2, 1, true);
  v.setUint32(fh + 4, spec.timeDateStamp ?? 0x5f000000, true);
  v.setUint16(fh + 16, optSize, true);
  v.setUint16(fh + 18, spec.is64 ? 0x2022 : 0x2102, true);
  const oh = fh + 20;
  v.setUint16(oh, spec.is64 ? 0x20b : 0x10b, true);
  v.setUint32(oh + 16, 0, true); // AddressOfEntryPoint
  if (spec.is64) v.setBigUint64(oh + 24, 0x180000000n, true);
  else v.setUint32(oh + 28, 0x10000000, true);
  v.setUint32(oh + 32, 0x1000, true); // SectionAlignment
  v.setUint32(oh + 36, 0x200, true); // FileAlignment
  v.setUint32(oh + 56, SECTION_RVA + Math.ceil(rawSize / 0x1000) * 0x1000, true); // SizeOfImage
  v.setUint32(oh + 60, headersSize, true);
  v.setUint16(oh + 68, 2, true);
  const nrva = oh + (spec.is64 ? 108 : 92);
  v.setUint32(nrva, 16, true);
  v.setUint32(nrva + 4, expDir, true);
  v.setUint32(nrva + 8, expSize, true);
  v.setUint32(nrva + 12, impDir, true);
  v.setUint32(nrva + 16, (spec.imports.length + 1) * 20, true);
  const sh = oh + optSize;
  out.set(Buffer.from('.rdata'), sh);
  v.setUint32(sh + 8, rawSize, true);
  v.setUint32(sh + 12, SECTION_RVA, true);
  v.setUint32(sh + 16, rawSize, true);
  v.setUint32(sh + 20, SECTION_RAW, true);
  v.setUint32(sh + 36, 0x40000040, true);
  out.set(data, SECTION_RAW);
  return out;
}
