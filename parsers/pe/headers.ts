import type { ByteSource } from '../common/byte-source.js';
import { parseDosHeader } from './dos-header.js';
import { PE_HEADER_READ_BYTES } from './limits.js';
import { parseNtHeaders } from './nt-headers.js';
import { parseSectionTable, SECTION_HEADER } from './section-table.js';
import type { PeDiagnostic, PeHeaders } from './types.js';
import { anomaly } from './diagnostics.js';

const SECONDS_EPOCH_MAX = 0xffffffff;
/** Furthest `readPeHeaders` reads for headers that start past the first window. */
const MAX_HEADER_WINDOW_BYTES = 8 * 1024 * 1024;

function isoFromSeconds(s: number): string {
  return new Date(Math.min(s, SECONDS_EPOCH_MAX) * 1000).toISOString().replace('.000Z', 'Z');
}

/** DOS header, NT headers and section table from the first bytes of a file. Throws FormatError when not a PE. */
export function parseHeaders(bytes: Uint8Array): PeHeaders {
  const diagnostics: PeDiagnostic[] = [];
  const dos = parseDosHeader(bytes);
  const nt = parseNtHeaders(bytes, dos.lfanew, diagnostics);
  const sections = parseSectionTable(bytes, nt.sectionTableOffset, nt.numberOfSections, diagnostics);
  if (nt.sizeOfOptionalHeader === 0) anomaly(diagnostics, 'file_header.SizeOfOptionalHeader', dos.lfanew, 'SizeOfOptionalHeader is 0');
  return {
    ntHeaderOffset: dos.lfanew,
    machine: nt.machine,
    machineName: nt.machineName,
    numberOfSections: nt.numberOfSections,
    timeDateStamp: nt.timeDateStamp,
    timeDateStampIso: isoFromSeconds(nt.timeDateStamp),
    characteristics: nt.characteristics,
    isDll: nt.isDll,
    is64: nt.is64,
    optionalHeaderMagic: nt.optionalHeaderMagic,
    addressOfEntryPoint: nt.addressOfEntryPoint,
    imageBase: nt.imageBase.toString(),
    sectionAlignment: nt.sectionAlignment,
    fileAlignment: nt.fileAlignment,
    sizeOfImage: nt.sizeOfImage,
    sizeOfHeaders: nt.sizeOfHeaders,
    checksum: nt.checksum,
    subsystem: nt.subsystem,
    dllCharacteristics: nt.dllCharacteristics,
    dataDirectories: nt.dataDirectories,
    sections,
    diagnostics,
  };
}

/**
 * Reads only the headers of a (possibly large) file through a ByteSource: the first
 * PE_HEADER_READ_BYTES, plus the section table if e_lfanew puts it further in.
 */
export async function readPeHeaders(source: ByteSource): Promise<PeHeaders> {
  const first = await source.read(0, Math.min(source.size, PE_HEADER_READ_BYTES));
  try {
    return parseHeaders(first);
  } catch (e) {
    // e_lfanew may point past the first window (legal; seen in crafted files): read that far.
    if (first.byteLength < source.size && first.byteLength >= 0x40) {
      const lfanew = new DataView(first.buffer, first.byteOffset, first.byteLength).getUint32(0x3c, true);
      const want = lfanew + 4 + 20 + 0xffff + 0xffff * SECTION_HEADER.size;
      if (want > first.byteLength && want <= MAX_HEADER_WINDOW_BYTES) return parseHeaders(await source.read(0, Math.min(source.size, want)));
    }
    throw e;
  }
}
