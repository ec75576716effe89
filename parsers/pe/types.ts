/** The PE model `parsePe` returns (plain JSON-serialisable data, bigint-free). */

/** An anomaly or a sub-structure that could not be read; the rest of the file still parses. */
export interface PeDiagnostic {
  /** FormatError code (`TRUNCATED`, `LIMIT_EXCEEDED`, `CYCLE`, `INVALID`, ...) or `ANOMALY`. */
  code: string;
  /** What was being read, e.g. `exports.AddressOfNames`. */
  what: string;
  /** Absolute file offset where it happened (-1 when not tied to one). */
  offset: number;
  message: string;
}

export interface PeDataDirectory {
  index: number;
  name: string;
  virtualAddress: number;
  size: number;
}

export interface PeSection {
  name: string;
  virtualAddress: number;
  virtualSize: number;
  pointerToRawData: number;
  sizeOfRawData: number;
  characteristics: number;
}

export interface PeExport {
  ordinal: number;
  /** Null for an export by ordinal only. */
  name: string | null;
  /** Address RVA (0 for an unused slot is skipped). */
  rva: number;
  /** `OTHERDLL.Function` when the export is forwarded. */
  forwarder: string | null;
}

export interface PeImportFunction {
  /** Null when imported by ordinal. */
  name: string | null;
  ordinal: number | null;
  hint: number | null;
}

export interface PeImport {
  dll: string;
  functions: PeImportFunction[];
}

export interface PeSignature {
  /** The SECURITY directory points at a certificate table. */
  present: boolean;
  /** File offset and size of the attribute certificate table. */
  offset: number;
  size: number;
  /** WIN_CERTIFICATE.wCertificateType of the first entry (2 = PKCS#7 SignedData). */
  certificateType: number | null;
  /** Subject of the first signer's certificate, `CN=..., O=..., C=...`, when the PKCS#7 could be read. */
  signerSubject: string | null;
  signerIssuer: string | null;
}

export interface PeVersionInfo {
  /** VS_FIXEDFILEINFO FileVersion `a.b.c.d`. */
  fileVersion: string | null;
  productVersion: string | null;
  /** All StringFileInfo entries, first StringTable wins on duplicate keys. */
  strings: Record<string, string>;
  companyName: string | null;
  fileDescription: string | null;
  originalFilename: string | null;
  productName: string | null;
  /** The string-table FileVersion (what Explorer shows). */
  fileVersionString: string | null;
}

export interface PeHeaders {
  /** e_lfanew. */
  ntHeaderOffset: number;
  machine: number;
  machineName: string;
  numberOfSections: number;
  timeDateStamp: number;
  /** `timeDateStamp` as ISO-8601 UTC (seconds since 1970). */
  timeDateStampIso: string;
  characteristics: number;
  isDll: boolean;
  /** PE32+ (64-bit optional header). */
  is64: boolean;
  optionalHeaderMagic: number;
  addressOfEntryPoint: number;
  /** Decimal string (PE32+ image bases do not fit a double). */
  imageBase: string;
  sectionAlignment: number;
  fileAlignment: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  checksum: number;
  subsystem: number;
  dllCharacteristics: number;
  dataDirectories: PeDataDirectory[];
  sections: PeSection[];
  diagnostics: PeDiagnostic[];
}

export interface PeInfo extends PeHeaders {
  size: number;
  exportDllName: string | null;
  exports: PeExport[];
  imports: PeImport[];
  delayImports: PeImport[];
  signature: PeSignature;
  versionInfo: PeVersionInfo | null;
  /** pefile-compatible imphash ('' when there is no import table). */
  imphash: string;
  /** Bytes after the last section / certificate table (appended data). */
  overlayOffset: number | null;
}
