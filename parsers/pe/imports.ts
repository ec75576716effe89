import { ByteReader } from '../common/byte-reader.js';
import { LimitExceededError } from '../common/errors.js';
import { MAX_IMPORT_DESCRIPTORS, MAX_IMPORT_THUNKS_PER_DLL, MAX_IMPORT_THUNKS_TOTAL } from './limits.js';
import type { RvaMapper } from './rva.js';
import { readAsciiz } from './strings.js';
import { anomaly } from './diagnostics.js';
import type { PeDiagnostic, PeImport, PeImportFunction } from './types.js';

/** IMAGE_IMPORT_DESCRIPTOR (PE Format §"Import Directory Table"), 20 bytes. */
export const IMPORT_DESCRIPTOR = {
  size: 20,
  originalFirstThunk: 0, // 4, RVA of the import lookup table
  name: 12, // 4, RVA of the DLL name
  firstThunk: 16, // 4, RVA of the import address table
} as const;

/** ImgDelayDescr (PE Format §"Delay-Load Directory Table"), 32 bytes. */
export const DELAY_IMPORT_DESCRIPTOR = {
  size: 32,
  attributes: 0, // 4, bit 0 set = RVAs (else VAs, old VC6 format)
  name: 4, // 4
  importAddressTable: 12, // 4
  importNameTable: 16, // 4
} as const;

interface Ctx {
  bytes: Uint8Array;
  map: RvaMapper;
  is64: boolean;
  diagnostics: PeDiagnostic[];
  budget: { thunks: number };
}

/** Reads one import lookup table (u32 or u64 thunks, terminated by 0). */
function readThunks(ctx: Ctx, tableRva: number, toRva: (v: number) => number, what: string): PeImportFunction[] {
  const r = new ByteReader(ctx.bytes, 0, 'pe');
  const start = ctx.map.toOffset(toRva(tableRva), what);
  const width = ctx.is64 ? 8 : 4;
  const out: PeImportFunction[] = [];
  for (let i = 0; ; i++) {
    if (i >= MAX_IMPORT_THUNKS_PER_DLL) throw new LimitExceededError('pe', 'MAX_IMPORT_THUNKS_PER_DLL', i, MAX_IMPORT_THUNKS_PER_DLL, start);
    if (++ctx.budget.thunks > MAX_IMPORT_THUNKS_TOTAL) throw new LimitExceededError('pe', 'MAX_IMPORT_THUNKS_TOTAL', ctx.budget.thunks, MAX_IMPORT_THUNKS_TOTAL, start);
    const at = start + i * width;
    let isOrdinal: boolean;
    let low: number;
    if (ctx.is64) {
      const v = r.u64At(at, `${what}[i]`);
      if (v === 0n) break;
      isOrdinal = v >> 63n === 1n;
      low = Number(v & 0x7fffffffn);
    } else {
      const v = r.u32At(at, `${what}[i]`);
      if (v === 0) break;
      isOrdinal = v >>> 31 === 1;
      low = v & 0x7fffffff;
    }
    if (isOrdinal) {
      out.push({ name: null, ordinal: low & 0xffff, hint: null });
      continue;
    }
    const ibn = ctx.map.toOffset(toRva(low), `${what}.hint_name`);
    const hint = r.u16At(ibn, `${what}.Hint`);
    out.push({ name: readAsciiz(ctx.bytes, ibn + 2, `${what}.Name`), ordinal: null, hint });
  }
  return out;
}

function walkDescriptors(
  ctx: Ctx,
  dirRva: number,
  size: number,
  what: string,
  read: (r: ByteReader, at: number) => { nameRva: number; tableRva: number; altTableRva: number; toRva: (v: number) => number } | null,
): PeImport[] {
  const r = new ByteReader(ctx.bytes, 0, 'pe');
  const start = ctx.map.toOffset(dirRva, what);
  const out: PeImport[] = [];
  const seen = new Set<string>();
  for (let i = 0; ; i++) {
    if (i >= MAX_IMPORT_DESCRIPTORS) throw new LimitExceededError('pe', 'MAX_IMPORT_DESCRIPTORS', i, MAX_IMPORT_DESCRIPTORS, start);
    const d = read(r, start + i * size);
    if (!d) break;
    const key = `${d.nameRva}:${d.tableRva}:${d.altTableRva}`;
    if (seen.has(key)) {
      // A descriptor table that repeats itself (crafted: a table pointing at itself) ends here.
      anomaly(ctx.diagnostics, what, start + i * size, 'repeated import descriptor: table stops here');
      break;
    }
    seen.add(key);
    let dll: string;
    try {
      dll = readAsciiz(ctx.bytes, ctx.map.toOffset(d.toRva(d.nameRva), `${what}.Name`), `${what}.Name`);
    } catch {
      // A descriptor whose name does not resolve is past the real table's end (pefile stops too).
      anomaly(ctx.diagnostics, `${what}.Name`, start + i * size, `descriptor ${i}: DLL name unreadable; table stops here`);
      break;
    }
    let functions: PeImportFunction[] = [];
    const tables = [d.tableRva, d.altTableRva].filter((t) => t !== 0);
    let lastError: unknown;
    for (const t of tables) {
      try {
        functions = readThunks(ctx, t, d.toRva, `${what}.thunks`);
        lastError = undefined;
        break;
      } catch (e) {
        if (e instanceof LimitExceededError && e.limit === 'MAX_IMPORT_THUNKS_TOTAL') throw e;
        lastError = e;
      }
    }
    if (lastError !== undefined) anomaly(ctx.diagnostics, `${what}.thunks`, start + i * size, `${dll}: import lookup table unreadable`);
    out.push({ dll, functions });
  }
  return out;
}

/**
 * The import directory: DLL names and functions by name or ordinal. The lookup table
 * (OriginalFirstThunk) is preferred; the IAT (FirstThunk) is the fallback (bound or packed files).
 */
export function parseImports(bytes: Uint8Array, dirRva: number, map: RvaMapper, is64: boolean, diagnostics: PeDiagnostic[]): PeImport[] {
  const ctx: Ctx = { bytes, map, is64, diagnostics, budget: { thunks: 0 } };
  return walkDescriptors(ctx, dirRva, IMPORT_DESCRIPTOR.size, 'imports', (r, at) => {
    r.need(IMPORT_DESCRIPTOR.size, 'imports.descriptor', at);
    const oft = r.u32At(at + IMPORT_DESCRIPTOR.originalFirstThunk, 'imports.OriginalFirstThunk');
    const name = r.u32At(at + IMPORT_DESCRIPTOR.name, 'imports.Name');
    const ft = r.u32At(at + IMPORT_DESCRIPTOR.firstThunk, 'imports.FirstThunk');
    if (name === 0 && ft === 0 && oft === 0) return null;
    if (name === 0) return null;
    return { nameRva: name, tableRva: oft || ft, altTableRva: oft ? ft : 0, toRva: (v) => v };
  });
}

/** The delay-load import directory (same model as imports). Old-style VA descriptors are rebased. */
export function parseDelayImports(bytes: Uint8Array, dirRva: number, map: RvaMapper, is64: boolean, imageBase: bigint, diagnostics: PeDiagnostic[]): PeImport[] {
  const ctx: Ctx = { bytes, map, is64, diagnostics, budget: { thunks: 0 } };
  const base = imageBase <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(imageBase) : 0;
  return walkDescriptors(ctx, dirRva, DELAY_IMPORT_DESCRIPTOR.size, 'delay_imports', (r, at) => {
    r.need(DELAY_IMPORT_DESCRIPTOR.size, 'delay_imports.descriptor', at);
    const attrs = r.u32At(at + DELAY_IMPORT_DESCRIPTOR.attributes, 'delay_imports.Attributes');
    const name = r.u32At(at + DELAY_IMPORT_DESCRIPTOR.name, 'delay_imports.DllNameRVA');
    const int = r.u32At(at + DELAY_IMPORT_DESCRIPTOR.importNameTable, 'delay_imports.ImportNameTableRVA');
    const iat = r.u32At(at + DELAY_IMPORT_DESCRIPTOR.importAddressTable, 'delay_imports.ImportAddressTableRVA');
    if (name === 0) return null;
    const usesVa = (attrs & 1) === 0;
    const toRva = (v: number): number => (usesVa && base > 0 && v >= base ? v - base : v);
    return { nameRva: name, tableRva: int || iat, altTableRva: 0, toRva };
  });
}
