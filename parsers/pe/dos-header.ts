import { ByteReader } from '../common/byte-reader.js';
import { FormatError } from '../common/errors.js';
import { MZ_MAGIC } from './constants.js';

/** IMAGE_DOS_HEADER (winnt.h): only the two fields a PE reader needs. */
export const DOS_HEADER = {
  size: 0x40,
  /** 0x00, 2: e_magic 'MZ'. */
  magic: 0x00,
  /** 0x3c, 4: e_lfanew, file offset of the NT headers. */
  lfanew: 0x3c,
} as const;

export interface DosHeader {
  lfanew: number;
}

/** Reads the DOS header; throws `FormatError` BAD_MAGIC when the file is not MZ. */
export function parseDosHeader(bytes: Uint8Array): DosHeader {
  const r = new ByteReader(bytes, 0, 'pe');
  r.need(DOS_HEADER.size, 'dos_header');
  const magic = r.u16At(DOS_HEADER.magic, 'dos_header.e_magic');
  if (magic !== MZ_MAGIC) {
    throw new FormatError({ code: 'BAD_MAGIC', format: 'pe', offset: 0, what: 'dos_header.e_magic', message: 'pe: not an MZ file' });
  }
  return { lfanew: r.u32At(DOS_HEADER.lfanew, 'dos_header.e_lfanew') };
}
