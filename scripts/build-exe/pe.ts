import { ByteReader, FormatError, checkLimit } from '../../parsers/common/index.js';

/**
 * The few PE/COFF operations the Windows executable build needs (Microsoft PE/COFF
 * specification, "PE Format"): locate the headers, remove the Authenticode certificate
 * table (§4.7 "The Attribute Certificate Table"), recompute the optional header CheckSum
 * (ImageHlp `CheckSumMappedFile`), and find a named resource (§6.9 "The .rsrc Section").
 * Build-side only (scripts/), not shipped in the executable.
 */

const FORMAT = 'pe';

/** MZ header: e_magic (0x00, 2) "MZ"; e_lfanew (0x3c, 4). */
const DOS = { magic: 0x00, lfanew: 0x3c, size: 0x40 } as const;
/** COFF file header after "PE\0\0" (offsets from the signature). */
const COFF = {
  signatureSize: 4,
  machine: 0x04, // u16
  numberOfSections: 0x06, // u16
  sizeOfOptionalHeader: 0x14, // u16
  size: 0x18, // signature + 20-byte COFF header
} as const;
/** Optional header fields (offsets from its start). */
const OPT = {
  magic: 0x00, // u16: 0x10b PE32, 0x20b PE32+
  checkSum: 0x40, // u32, both PE32 and PE32+
  numberOfRvaAndSizesPe32: 0x5c,
  dataDirectoriesPe32: 0x60,
  numberOfRvaAndSizesPe32Plus: 0x6c,
  dataDirectoriesPe32Plus: 0x70,
} as const;
/** Section header, 40 bytes. */
const SECTION = { size: 40, virtualSize: 0x08, virtualAddress: 0x0c, sizeOfRawData: 0x10, pointerToRawData: 0x14 } as const;

export const PE_MAGIC = { PE32: 0x10b, PE32_PLUS: 0x20b } as const;
export const DATA_DIRECTORY = { RESOURCE: 2, SECURITY: 4 } as const;
export const RESOURCE_TYPE = { RCDATA: 10 } as const;

/** Limits for hostile or damaged images. */
const MAX_SECTIONS = 96; // the loader's own cap
const MAX_DATA_DIRECTORIES = 16;
const MAX_RESOURCE_ENTRIES = 4096; // per resource directory table

export interface PeSection {
  name: string;
  virtualSize: number;
  virtualAddress: number;
  sizeOfRawData: number;
  pointerToRawData: number;
}

export interface PeLayout {
  peOffset: number;
  machine: number;
  optionalHeaderOffset: number;
  magic: number;
  isPe32Plus: boolean;
  checkSumOffset: number;
  checkSum: number;
  dataDirectoriesOffset: number;
  numberOfRvaAndSizes: number;
  sections: PeSection[];
}

function invalid(offset: number, what: string, message: string): FormatError {
  return new FormatError({ code: 'INVALID', format: FORMAT, offset, what, message: `pe: ${message}` });
}

/** Reads the header layout of a PE image (bytes of the whole file). */
export function readPeLayout(bytes: Uint8Array): PeLayout {
  const r = new ByteReader(bytes, 0, FORMAT);
  r.need(DOS.size, 'dos header');
  if (r.u16At(DOS.magic, 'dos.e_magic') !== 0x5a4d) {
    throw new FormatError({ code: 'BAD_MAGIC', format: FORMAT, offset: 0, what: 'dos.e_magic' });
  }
  const peOffset = r.u32At(DOS.lfanew, 'dos.e_lfanew');
  if (r.u32At(peOffset, 'nt.signature') !== 0x00004550) {
    throw new FormatError({ code: 'BAD_MAGIC', format: FORMAT, offset: peOffset, what: 'nt.signature' });
  }
  const numberOfSections = r.u16At(peOffset + COFF.numberOfSections, 'coff.numberOfSections');
  checkLimit(FORMAT, 'MAX_SECTIONS', numberOfSections, MAX_SECTIONS, peOffset);
  const sizeOfOptionalHeader = r.u16At(peOffset + COFF.sizeOfOptionalHeader, 'coff.sizeOfOptionalHeader');
  const opt = peOffset + COFF.size;
  const magic = r.u16At(opt + OPT.magic, 'optional.magic');
  if (magic !== PE_MAGIC.PE32 && magic !== PE_MAGIC.PE32_PLUS) {
    throw new FormatError({ code: 'BAD_MAGIC', format: FORMAT, offset: opt, what: 'optional.magic' });
  }
  const isPe32Plus = magic === PE_MAGIC.PE32_PLUS;
  const numberOfRvaAndSizes = r.u32At(opt + (isPe32Plus ? OPT.numberOfRvaAndSizesPe32Plus : OPT.numberOfRvaAndSizesPe32), 'optional.numberOfRvaAndSizes');
  const dataDirectoriesOffset = opt + (isPe32Plus ? OPT.dataDirectoriesPe32Plus : OPT.dataDirectoriesPe32);
  const dirCount = Math.min(numberOfRvaAndSizes, MAX_DATA_DIRECTORIES);
  if (dataDirectoriesOffset + dirCount * 8 > opt + sizeOfOptionalHeader) {
    throw invalid(opt, 'optional.numberOfRvaAndSizes', 'data directories overrun the optional header');
  }
  const sections: PeSection[] = [];
  const table = opt + sizeOfOptionalHeader;
  r.need(numberOfSections * SECTION.size, 'section table', table);
  for (let i = 0; i < numberOfSections; i++) {
    const s = table + i * SECTION.size;
    const name = r.fork(s).latin1(8, 'section.name');
    const nul = name.indexOf('\0');
    sections.push({
      name: nul === -1 ? name : name.slice(0, nul),
      virtualSize: r.u32At(s + SECTION.virtualSize, 'section.virtualSize'),
      virtualAddress: r.u32At(s + SECTION.virtualAddress, 'section.virtualAddress'),
      sizeOfRawData: r.u32At(s + SECTION.sizeOfRawData, 'section.sizeOfRawData'),
      pointerToRawData: r.u32At(s + SECTION.pointerToRawData, 'section.pointerToRawData'),
    });
  }
  const checkSumOffset = opt + OPT.checkSum;
  return {
    peOffset,
    machine: r.u16At(peOffset + COFF.machine, 'coff.machine'),
    optionalHeaderOffset: opt,
    magic,
    isPe32Plus,
    checkSumOffset,
    checkSum: r.u32At(checkSumOffset, 'optional.checkSum'),
    dataDirectoriesOffset,
    numberOfRvaAndSizes: dirCount,
    sections,
  };
}

/** A data directory entry `{ address, size }` (address is an RVA, except SECURITY: a file offset). */
export function dataDirectory(bytes: Uint8Array, layout: PeLayout, index: number): { address: number; size: number } {
  if (index >= layout.numberOfRvaAndSizes) return { address: 0, size: 0 };
  const r = new ByteReader(bytes, 0, FORMAT);
  const at = layout.dataDirectoriesOffset + index * 8;
  return { address: r.u32At(at, `dataDirectory[${index}].address`), size: r.u32At(at + 4, `dataDirectory[${index}].size`) };
}

/**
 * Removes the Authenticode signature: zeroes the SECURITY data directory entry and cuts the
 * attribute certificate table off the end of the file. Returns the new image (a subarray of
 * `bytes`, which is modified in place) and how many bytes were removed. A certificate table
 * that is not at the end of the file is refused: cutting it would corrupt whatever follows.
 */
export function stripAuthenticode(bytes: Uint8Array): { image: Uint8Array; removedBytes: number } {
  const layout = readPeLayout(bytes);
  const { address, size } = dataDirectory(bytes, layout, DATA_DIRECTORY.SECURITY);
  if (address === 0 && size === 0) return { image: bytes, removedBytes: 0 };
  if (address < layout.optionalHeaderOffset || address + size > bytes.byteLength) {
    throw invalid(address, 'certificate table', 'certificate table lies outside the file');
  }
  // The table is 8-byte aligned and must be the last thing in the file (§4.7); allow the
  // zero padding some signers append after it.
  const tail = bytes.subarray(address + size);
  if (tail.byteLength >= 8 || tail.some((b) => b !== 0)) {
    throw invalid(address, 'certificate table', 'certificate table is not at the end of the file');
  }
  const dir = layout.dataDirectoriesOffset + DATA_DIRECTORY.SECURITY * 8;
  bytes.fill(0, dir, dir + 8);
  return { image: bytes.subarray(0, address), removedBytes: bytes.byteLength - address };
}

/**
 * The PE image checksum as the loader and ImageHlp `CheckSumMappedFile` compute it: the
 * one's-complement-style 16-bit sum of the file (CheckSum field taken as zero, an odd last
 * byte padded with zero), carries folded, plus the file length.
 */
export function computePeChecksum(bytes: Uint8Array, checkSumOffset: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  const even = len & ~1;
  let sum = 0;
  for (let i = 0; i < even; i += 2) {
    if (i === checkSumOffset || i === checkSumOffset + 2) continue;
    sum += view.getUint16(i, true);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (len !== even) {
    sum += bytes[len - 1] ?? 0;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + len) >>> 0;
}

/** Recomputes and writes the optional header CheckSum in place; returns the new value. */
export function writePeChecksum(bytes: Uint8Array): number {
  const layout = readPeLayout(bytes);
  const value = computePeChecksum(bytes, layout.checkSumOffset);
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(layout.checkSumOffset, value, true);
  return value;
}

/** File offset of an RVA, through the section table; undefined when no section maps it. */
export function rvaToOffset(layout: PeLayout, rva: number): number | undefined {
  for (const s of layout.sections) {
    const span = Math.max(s.virtualSize, s.sizeOfRawData);
    if (rva >= s.virtualAddress && rva < s.virtualAddress + span) {
      const delta = rva - s.virtualAddress;
      return delta < s.sizeOfRawData ? s.pointerToRawData + delta : undefined;
    }
  }
  return undefined;
}

interface ResourceEntry {
  id: number | undefined;
  name: string | undefined;
  isDirectory: boolean;
  /** Offset from the start of the resource section. */
  target: number;
}

function readResourceTable(r: ByteReader, base: number, at: number): ResourceEntry[] {
  const named = r.u16At(base + at + 12, 'resourceDirectory.numberOfNamedEntries');
  const ids = r.u16At(base + at + 14, 'resourceDirectory.numberOfIdEntries');
  const count = named + ids;
  checkLimit(FORMAT, 'MAX_RESOURCE_ENTRIES', count, MAX_RESOURCE_ENTRIES, base + at);
  const out: ResourceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = base + at + 16 + i * 8;
    const nameField = r.u32At(e, 'resourceEntry.name');
    const dataField = r.u32At(e + 4, 'resourceEntry.offsetToData');
    let name: string | undefined;
    let id: number | undefined;
    if (nameField & 0x80000000) {
      const s = base + (nameField & 0x7fffffff);
      const chars = r.u16At(s, 'resourceName.length');
      const fork = r.fork(s + 2);
      name = fork.utf16le(chars, 'resourceName.chars');
    } else {
      id = nameField;
    }
    out.push({ id, name, isDirectory: (dataField & 0x80000000) !== 0, target: dataField & 0x7fffffff });
  }
  return out;
}

/**
 * Bytes of the resource `type` / `name` (first language), or undefined when absent. The
 * walk is three levels deep (type, name, language) and never revisits a table.
 */
export function findResource(bytes: Uint8Array, type: number, name: string): Uint8Array | undefined {
  const layout = readPeLayout(bytes);
  const dir = dataDirectory(bytes, layout, DATA_DIRECTORY.RESOURCE);
  if (dir.address === 0 || dir.size === 0) return undefined;
  const base = rvaToOffset(layout, dir.address);
  if (base === undefined) throw invalid(0, 'resource directory', 'resource directory RVA maps to no section data');
  const r = new ByteReader(bytes, 0, FORMAT);
  const visited = new Set<number>([0]);
  const descend = (entry: ResourceEntry | undefined): ResourceEntry[] | undefined => {
    if (!entry?.isDirectory) return undefined;
    if (visited.has(entry.target)) {
      throw new FormatError({ code: 'CYCLE', format: FORMAT, offset: base + entry.target, what: 'resource directory' });
    }
    visited.add(entry.target);
    return readResourceTable(r, base, entry.target);
  };
  const types = readResourceTable(r, base, 0);
  const names = descend(types.find((e) => e.id === type));
  const langs = descend(names?.find((e) => e.name !== undefined && e.name.toUpperCase() === name.toUpperCase()));
  const leaf = langs?.find((e) => !e.isDirectory);
  if (!leaf) return undefined;
  const dataRva = r.u32At(base + leaf.target, 'resourceData.offsetToData');
  const size = r.u32At(base + leaf.target + 4, 'resourceData.size');
  const at = rvaToOffset(layout, dataRva);
  if (at === undefined) throw invalid(base + leaf.target, 'resourceData.offsetToData', 'resource data RVA maps to no section data');
  r.need(size, 'resource data', at);
  return bytes.subarray(at, at + size);
}
