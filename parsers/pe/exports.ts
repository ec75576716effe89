import { ByteReader } from '../common/byte-reader.js';
import { checkLimit } from '../common/errors.js';
import { MAX_EXPORT_FUNCTIONS, MAX_EXPORT_NAMES } from './limits.js';
import type { RvaMapper } from './rva.js';
import { readAsciiz } from './strings.js';
import { anomaly } from './diagnostics.js';
import type { PeDataDirectory, PeDiagnostic, PeExport } from './types.js';

/** IMAGE_EXPORT_DIRECTORY (PE Format §"Export Directory Table"), 40 bytes. */
export const EXPORT_DIRECTORY = {
  size: 40,
  name: 12, // 4, RVA of the DLL name
  base: 16, // 4, ordinal base
  numberOfFunctions: 20, // 4
  numberOfNames: 24, // 4
  addressOfFunctions: 28, // 4, RVA of the export address table (u32 RVAs)
  addressOfNames: 32, // 4, RVA of the name pointer table (u32 RVAs)
  addressOfNameOrdinals: 36, // 4, RVA of the ordinal table (u16 indices into EAT)
} as const;

export interface ExportTable {
  dllName: string | null;
  exports: PeExport[];
}

/**
 * Reads the export table. Named exports come first in name-table order, then the ordinal-only
 * slots (pefile's order). An address inside the export directory is a forwarder string.
 * Bad names are skipped with a diagnostic; counts are capped by named limits.
 */
export function parseExports(bytes: Uint8Array, dir: PeDataDirectory, map: RvaMapper, diagnostics: PeDiagnostic[]): ExportTable {
  const r = new ByteReader(bytes, 0, 'pe');
  const at = map.toOffset(dir.virtualAddress, 'exports.directory');
  r.need(EXPORT_DIRECTORY.size, 'exports.directory', at);
  const nameRva = r.u32At(at + EXPORT_DIRECTORY.name, 'exports.Name');
  const base = r.u32At(at + EXPORT_DIRECTORY.base, 'exports.Base');
  const nFunctions = checkLimit('pe', 'MAX_EXPORT_FUNCTIONS', r.u32At(at + EXPORT_DIRECTORY.numberOfFunctions, 'exports.NumberOfFunctions'), MAX_EXPORT_FUNCTIONS, at);
  const nNames = checkLimit('pe', 'MAX_EXPORT_NAMES', r.u32At(at + EXPORT_DIRECTORY.numberOfNames, 'exports.NumberOfNames'), MAX_EXPORT_NAMES, at);
  const eatRva = r.u32At(at + EXPORT_DIRECTORY.addressOfFunctions, 'exports.AddressOfFunctions');
  const namesRva = r.u32At(at + EXPORT_DIRECTORY.addressOfNames, 'exports.AddressOfNames');
  const ordsRva = r.u32At(at + EXPORT_DIRECTORY.addressOfNameOrdinals, 'exports.AddressOfNameOrdinals');

  let dllName: string | null = null;
  try {
    dllName = nameRva ? readAsciiz(bytes, map.toOffset(nameRva, 'exports.Name'), 'exports.Name') : null;
  } catch {
    anomaly(diagnostics, 'exports.Name', at, 'export DLL name unreadable');
  }

  const eat = nFunctions ? map.toOffset(eatRva, 'exports.AddressOfFunctions') : 0;
  if (nFunctions) r.need(nFunctions * 4, 'exports.AddressOfFunctions', eat);
  const dirStart = dir.virtualAddress;
  const dirEnd = dir.virtualAddress + dir.size;
  const slot = (index: number): { rva: number; forwarder: string | null } => {
    const rva = r.u32At(eat + index * 4, 'exports.AddressOfFunctions[i]');
    let forwarder: string | null = null;
    if (rva >= dirStart && rva < dirEnd) {
      forwarder = readAsciiz(bytes, map.toOffset(rva, 'exports.forwarder'), 'exports.forwarder');
    }
    return { rva, forwarder };
  };

  const out: PeExport[] = [];
  const named = new Set<number>();
  if (nNames) {
    const names = map.toOffset(namesRva, 'exports.AddressOfNames');
    const ords = map.toOffset(ordsRva, 'exports.AddressOfNameOrdinals');
    r.need(nNames * 4, 'exports.AddressOfNames', names);
    r.need(nNames * 2, 'exports.AddressOfNameOrdinals', ords);
    let bad = 0;
    for (let i = 0; i < nNames; i++) {
      const index = r.u16At(ords + i * 2, 'exports.AddressOfNameOrdinals[i]');
      if (index >= nFunctions) {
        bad++;
        continue;
      }
      try {
        const name = readAsciiz(bytes, map.toOffset(r.u32At(names + i * 4, 'exports.AddressOfNames[i]'), 'exports.name'), 'exports.name');
        const s = slot(index);
        named.add(index);
        out.push({ ordinal: base + index, name, rva: s.rva, forwarder: s.forwarder });
      } catch {
        bad++;
      }
    }
    if (bad) anomaly(diagnostics, 'exports.AddressOfNames', names, `${bad} export name(s) unreadable or with an out-of-range ordinal`);
  }
  let badForwarders = 0;
  for (let index = 0; index < nFunctions; index++) {
    if (named.has(index)) continue;
    try {
      const s = slot(index);
      if (s.rva === 0) continue; // unused slot
      out.push({ ordinal: base + index, name: null, rva: s.rva, forwarder: s.forwarder });
    } catch {
      badForwarders++;
    }
  }
  if (badForwarders) anomaly(diagnostics, 'exports.forwarder', eat, `${badForwarders} ordinal-only forwarder(s) unreadable`);
  return { dllName, exports: out };
}
