import { createHash } from 'node:crypto';
import { FormatError } from '../../common/errors.js';
import { ImageDirectoryEntry } from '../constants.js';
import type { PeHeaders } from '../types.js';

/** Offsets inside the NT headers (PE Format: signature 4 + COFF header 20, then the optional header). */
const OPTIONAL_HEADER = 24;
/** CheckSum: optional header +64 in both PE32 and PE32+. */
const CHECKSUM_FIELD = 64;
/** DataDirectory[0]: optional header +96 (PE32) / +112 (PE32+); 8 bytes per entry. */
const DIRECTORIES_PE32 = 96;
const DIRECTORIES_PE32_PLUS = 112;
const DIRECTORY_ENTRY_SIZE = 8;
/** The attribute certificate table is 8-byte aligned; an unsigned file is hashed as if zero-padded to 8. */
const CERT_ALIGN = 8;

/**
 * The Authenticode PE image hash (PE Format, "Calculating Authenticode PE Image Hash"): every
 * byte of the file except the CheckSum field, the Certificate Table directory entry and the
 * attribute certificate table.
 *
 * The bytes are hashed in file order from 0 to the start of the certificate table (or the end
 * of an unsigned file, zero-padded to 8), as osslsigncode and signtool do. For the usual
 * layout (headers, then sections sorted by PointerToRawData, then the table) this is exactly
 * the specification's sequence; it also covers gaps between headers and sections, so hiding
 * bytes there breaks the digest too. Bytes after the certificate table (the table must end the
 * file) are hashed as well: data appended to a signed file is an alteration, not a free
 * hiding place (osslsigncode refuses such a file; Windows' own check is configurable).
 */
export function authenticodeImageHash(bytes: Uint8Array, pe: PeHeaders, algorithm: string): Uint8Array {
  const opt = pe.ntHeaderOffset + OPTIONAL_HEADER;
  const checksumAt = opt + CHECKSUM_FIELD;
  const certDirAt = opt + (pe.is64 ? DIRECTORIES_PE32_PLUS : DIRECTORIES_PE32) + ImageDirectoryEntry.Security * DIRECTORY_ENTRY_SIZE;
  const sec = pe.dataDirectories[ImageDirectoryEntry.Security];
  const signed = sec !== undefined && sec.virtualAddress !== 0 && sec.size !== 0;
  const end = signed ? sec.virtualAddress : bytes.byteLength;
  if (certDirAt + DIRECTORY_ENTRY_SIZE > end || end > bytes.byteLength) {
    throw new FormatError({ code: 'INVALID', format: 'pe', offset: certDirAt, what: 'authenticode.imageHash', message: 'pe: certificate table overlaps the headers or lies past the end of the file' });
  }
  const h = createHash(algorithm);
  h.update(bytes.subarray(0, checksumAt));
  h.update(bytes.subarray(checksumAt + 4, certDirAt));
  h.update(bytes.subarray(certDirAt + DIRECTORY_ENTRY_SIZE, end));
  if (signed && end + sec.size < bytes.byteLength) h.update(bytes.subarray(end + sec.size));
  if (!signed && end % CERT_ALIGN !== 0) h.update(new Uint8Array(CERT_ALIGN - (end % CERT_ALIGN)));
  return new Uint8Array(h.digest());
}
