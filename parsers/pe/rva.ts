import { TruncatedError } from '../common/errors.js';
import type { PeSection } from './types.js';

/** The loader's hard-coded minimum file alignment: raw pointers are rounded down to it. */
const FILE_ALIGNMENT_HARDCODED = 0x200;

interface MappedSection {
  vaStart: number;
  vaEnd: number;
  rawStart: number;
}

/**
 * RVA → file offset, following the Windows loader's rounding (and pefile's
 * `get_offset_from_rva`): raw pointers round down to 0x200 when FileAlignment ≥ 0x200, a
 * section spans max(VirtualSize, SizeOfRawData) but never into the next section, and an RVA
 * outside every section maps to the same file offset (header or overlay data).
 */
export class RvaMapper {
  private readonly sections: MappedSection[];
  private readonly fileSize: number;

  constructor(sections: readonly PeSection[], fileAlignment: number, sectionAlignment: number, fileSize: number) {
    this.fileSize = fileSize;
    const secAlign = sectionAlignment < 0x1000 ? fileAlignment : sectionAlignment;
    const mapped = sections.map((s) => {
      const rawStart = fileAlignment >= FILE_ALIGNMENT_HARDCODED ? s.pointerToRawData - (s.pointerToRawData % FILE_ALIGNMENT_HARDCODED) : s.pointerToRawData;
      const vaStart = secAlign > 0 && s.virtualAddress % secAlign !== 0 ? s.virtualAddress - (s.virtualAddress % secAlign) : s.virtualAddress;
      // A section whose raw data is cut off by the end of the file spans only VirtualSize.
      const size = rawStart + s.sizeOfRawData > fileSize ? s.virtualSize : Math.max(s.virtualSize, s.sizeOfRawData);
      return { vaStart, vaEnd: vaStart + size, rawStart };
    });
    for (let i = 0; i < mapped.length; i++) {
      const cur = mapped[i];
      const next = mapped[i + 1];
      if (cur && next && next.vaStart > cur.vaStart && cur.vaEnd > next.vaStart) cur.vaEnd = next.vaStart;
    }
    this.sections = mapped;
  }

  /** File offset of `rva`, or throws TruncatedError when it maps outside the file. */
  toOffset(rva: number, what: string): number {
    for (const s of this.sections) {
      if (rva >= s.vaStart && rva < s.vaEnd) {
        return rva - s.vaStart + s.rawStart;
      }
    }
    if (rva >= 0 && rva < this.fileSize) return rva;
    throw new TruncatedError('pe', `${what} (rva 0x${rva.toString(16)} maps outside the file)`, rva, 1, 0);
  }
}
