import { ByteReader } from '../common/byte-reader.js';
import { LATIN1_NUL_TRIMMED } from './strings.js';
import { MAX_PE_SECTIONS } from './limits.js';
import { anomaly } from './diagnostics.js';
import type { PeDiagnostic, PeSection } from './types.js';

/** IMAGE_SECTION_HEADER (PE Format §"Section Table"), 40 bytes. */
export const SECTION_HEADER = {
  size: 40,
  name: 0, // 8, NUL-padded
  virtualSize: 8, // 4
  virtualAddress: 12, // 4
  sizeOfRawData: 16, // 4
  pointerToRawData: 20, // 4
  characteristics: 36, // 4
} as const;

/**
 * Reads up to `count` section headers at `offset`. Headers past the end of the file or past
 * MAX_PE_SECTIONS are dropped with a diagnostic (the rest of the file is still usable).
 */
export function parseSectionTable(bytes: Uint8Array, offset: number, count: number, diagnostics: PeDiagnostic[]): PeSection[] {
  const r = new ByteReader(bytes, 0, 'pe');
  if (count > MAX_PE_SECTIONS) {
    anomaly(diagnostics, 'file_header.NumberOfSections', offset, `${count} sections > MAX_PE_SECTIONS ${MAX_PE_SECTIONS}; reading the first ${MAX_PE_SECTIONS}`);
    count = MAX_PE_SECTIONS;
  }
  const sections: PeSection[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + i * SECTION_HEADER.size;
    if (at + SECTION_HEADER.size > bytes.byteLength) {
      anomaly(diagnostics, 'section_table', at, `section header ${i} of ${count} lies past the end of the file`);
      break;
    }
    sections.push({
      name: LATIN1_NUL_TRIMMED(r.bytes.subarray(at, at + 8)),
      virtualSize: r.u32At(at + SECTION_HEADER.virtualSize, 'section.VirtualSize'),
      virtualAddress: r.u32At(at + SECTION_HEADER.virtualAddress, 'section.VirtualAddress'),
      sizeOfRawData: r.u32At(at + SECTION_HEADER.sizeOfRawData, 'section.SizeOfRawData'),
      pointerToRawData: r.u32At(at + SECTION_HEADER.pointerToRawData, 'section.PointerToRawData'),
      characteristics: r.u32At(at + SECTION_HEADER.characteristics, 'section.Characteristics'),
    });
  }
  return sections;
}
