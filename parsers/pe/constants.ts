/**
 * PE/COFF constants (Microsoft "PE Format" specification, learn.microsoft.com/windows/win32/debug/pe-format).
 * `as const` objects plus derived unions.
 */

export const MZ_MAGIC = 0x5a4d; // 'MZ'
export const PE_SIGNATURE = 0x00004550; // 'PE\0\0'
export const PE32_MAGIC = 0x10b;
export const PE32_PLUS_MAGIC = 0x20b;

/** Data directory indices (PE Format §"Optional Header Data Directories"). */
export const ImageDirectoryEntry = {
  Export: 0,
  Import: 1,
  Resource: 2,
  Exception: 3,
  Security: 4,
  BaseReloc: 5,
  Debug: 6,
  Architecture: 7,
  GlobalPtr: 8,
  Tls: 9,
  LoadConfig: 10,
  BoundImport: 11,
  Iat: 12,
  DelayImport: 13,
  ComDescriptor: 14,
  Reserved: 15,
} as const;
export type ImageDirectoryEntry = (typeof ImageDirectoryEntry)[keyof typeof ImageDirectoryEntry];

export const DIRECTORY_NAMES = [
  'EXPORT',
  'IMPORT',
  'RESOURCE',
  'EXCEPTION',
  'SECURITY',
  'BASERELOC',
  'DEBUG',
  'ARCHITECTURE',
  'GLOBALPTR',
  'TLS',
  'LOAD_CONFIG',
  'BOUND_IMPORT',
  'IAT',
  'DELAY_IMPORT',
  'COM_DESCRIPTOR',
  'RESERVED',
] as const;

/** COFF file header Characteristics flags. */
export const FileCharacteristics = {
  ExecutableImage: 0x0002,
  LargeAddressAware: 0x0020,
  Dll: 0x2000,
} as const;

export const MACHINE_NAMES: Readonly<Record<number, string>> = {
  0x014c: 'i386',
  0x8664: 'amd64',
  0xaa64: 'arm64',
  0x01c4: 'armnt',
  0x0200: 'ia64',
};

/** Resource type ids (winuser.h). */
export const RT_VERSION = 16;

/** WIN_CERTIFICATE.wCertificateType. */
export const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;

export function hasFlag(value: number, mask: number): boolean {
  return (value & mask) === mask;
}
