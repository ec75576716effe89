import { ByteReader } from '../common/byte-reader.js';
import { FormatError } from '../common/errors.js';
import { DIRECTORY_NAMES, FileCharacteristics, MACHINE_NAMES, PE32_MAGIC, PE32_PLUS_MAGIC, PE_SIGNATURE, hasFlag } from './constants.js';
import type { PeDataDirectory, PeDiagnostic } from './types.js';
import { anomaly } from './diagnostics.js';

/** IMAGE_FILE_HEADER (PE Format §"COFF File Header"), after the 4-byte signature. */
export const FILE_HEADER = {
  size: 20,
  machine: 0, // 2
  numberOfSections: 2, // 2
  timeDateStamp: 4, // 4
  sizeOfOptionalHeader: 16, // 2
  characteristics: 18, // 2
} as const;

/** IMAGE_OPTIONAL_HEADER32/64 field offsets (PE Format §"Optional Header"). */
export const OPTIONAL_HEADER = {
  magic: 0, // 2
  addressOfEntryPoint: 16, // 4
  /** PE32: ImageBase at 28 (4); PE32+: at 24 (8). */
  imageBase32: 28,
  imageBase64: 24,
  sectionAlignment: 32, // 4
  fileAlignment: 36, // 4
  sizeOfImage: 56, // 4
  sizeOfHeaders: 60, // 4
  checkSum: 64, // 4
  subsystem: 68, // 2
  dllCharacteristics: 70, // 2
  /** NumberOfRvaAndSizes: PE32 at 92, PE32+ at 108; the directories follow (8 bytes each). */
  numberOfRvaAndSizes32: 92,
  numberOfRvaAndSizes64: 108,
} as const;

export interface NtHeaders {
  machine: number;
  machineName: string;
  numberOfSections: number;
  timeDateStamp: number;
  sizeOfOptionalHeader: number;
  characteristics: number;
  isDll: boolean;
  is64: boolean;
  optionalHeaderMagic: number;
  addressOfEntryPoint: number;
  imageBase: bigint;
  sectionAlignment: number;
  fileAlignment: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  checksum: number;
  subsystem: number;
  dllCharacteristics: number;
  dataDirectories: PeDataDirectory[];
  /** File offset of the first section header. */
  sectionTableOffset: number;
}

/** Reads the NT headers at `lfanew`. Throws FormatError on a bad signature or magic. */
export function parseNtHeaders(bytes: Uint8Array, lfanew: number, diagnostics: PeDiagnostic[]): NtHeaders {
  const r = new ByteReader(bytes, 0, 'pe');
  r.need(4 + FILE_HEADER.size, 'nt_headers', lfanew);
  if (r.u32At(lfanew, 'nt_headers.Signature') !== PE_SIGNATURE) {
    throw new FormatError({ code: 'BAD_MAGIC', format: 'pe', offset: lfanew, what: 'nt_headers.Signature', message: 'pe: no PE\\0\\0 signature at e_lfanew' });
  }
  const fh = lfanew + 4;
  const machine = r.u16At(fh + FILE_HEADER.machine, 'file_header.Machine');
  const numberOfSections = r.u16At(fh + FILE_HEADER.numberOfSections, 'file_header.NumberOfSections');
  const timeDateStamp = r.u32At(fh + FILE_HEADER.timeDateStamp, 'file_header.TimeDateStamp');
  const sizeOfOptionalHeader = r.u16At(fh + FILE_HEADER.sizeOfOptionalHeader, 'file_header.SizeOfOptionalHeader');
  const characteristics = r.u16At(fh + FILE_HEADER.characteristics, 'file_header.Characteristics');
  const oh = fh + FILE_HEADER.size;
  const magic = r.u16At(oh + OPTIONAL_HEADER.magic, 'optional_header.Magic');
  if (magic !== PE32_MAGIC && magic !== PE32_PLUS_MAGIC) {
    throw new FormatError({ code: 'BAD_MAGIC', format: 'pe', offset: oh, what: 'optional_header.Magic', message: `pe: unknown optional header magic 0x${magic.toString(16)}` });
  }
  const is64 = magic === PE32_PLUS_MAGIC;
  const nrvaAt = oh + (is64 ? OPTIONAL_HEADER.numberOfRvaAndSizes64 : OPTIONAL_HEADER.numberOfRvaAndSizes32);
  r.need(nrvaAt + 4 - oh, 'optional_header', oh);
  let numberOfRvaAndSizes = r.u32At(nrvaAt, 'optional_header.NumberOfRvaAndSizes');
  if (numberOfRvaAndSizes > 16) {
    // The loader ignores directories past 16 (pefile clamps the same way).
    anomaly(diagnostics, 'optional_header.NumberOfRvaAndSizes', nrvaAt, `NumberOfRvaAndSizes ${numberOfRvaAndSizes} > 16, clamped`);
    numberOfRvaAndSizes = 16;
  }
  const dataDirectories: PeDataDirectory[] = [];
  for (let i = 0; i < numberOfRvaAndSizes; i++) {
    const at = nrvaAt + 4 + i * 8;
    if (at + 8 > bytes.byteLength) {
      anomaly(diagnostics, 'optional_header.DataDirectory', at, `data directory ${i} lies past the end of the file`);
      break;
    }
    dataDirectories.push({
      index: i,
      name: DIRECTORY_NAMES[i] ?? `DIR${i}`,
      virtualAddress: r.u32At(at, 'DataDirectory.VirtualAddress'),
      size: r.u32At(at + 4, 'DataDirectory.Size'),
    });
  }
  return {
    machine,
    machineName: MACHINE_NAMES[machine] ?? `0x${machine.toString(16)}`,
    numberOfSections,
    timeDateStamp,
    sizeOfOptionalHeader,
    characteristics,
    isDll: hasFlag(characteristics, FileCharacteristics.Dll),
    is64,
    optionalHeaderMagic: magic,
    addressOfEntryPoint: r.u32At(oh + OPTIONAL_HEADER.addressOfEntryPoint, 'optional_header.AddressOfEntryPoint'),
    imageBase: is64 ? r.u64At(oh + OPTIONAL_HEADER.imageBase64, 'optional_header.ImageBase') : BigInt(r.u32At(oh + OPTIONAL_HEADER.imageBase32, 'optional_header.ImageBase')),
    sectionAlignment: r.u32At(oh + OPTIONAL_HEADER.sectionAlignment, 'optional_header.SectionAlignment'),
    fileAlignment: r.u32At(oh + OPTIONAL_HEADER.fileAlignment, 'optional_header.FileAlignment'),
    sizeOfImage: r.u32At(oh + OPTIONAL_HEADER.sizeOfImage, 'optional_header.SizeOfImage'),
    sizeOfHeaders: r.u32At(oh + OPTIONAL_HEADER.sizeOfHeaders, 'optional_header.SizeOfHeaders'),
    checksum: r.u32At(oh + OPTIONAL_HEADER.checkSum, 'optional_header.CheckSum'),
    subsystem: r.u16At(oh + OPTIONAL_HEADER.subsystem, 'optional_header.Subsystem'),
    dllCharacteristics: r.u16At(oh + OPTIONAL_HEADER.dllCharacteristics, 'optional_header.DllCharacteristics'),
    dataDirectories,
    sectionTableOffset: oh + sizeOfOptionalHeader,
  };
}
