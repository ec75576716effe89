/**
 * Named limits for the PE parser. Breaching one throws `LimitExceededError`
 * inside a sub-parser, which `parsePe` turns into a diagnostic.
 */

/** The PE/COFF spec caps sections at 96; the loader accepts more, we allow some slack. */
export const MAX_PE_SECTIONS = 256;
/** Import descriptors per table (real DLLs: tens). */
export const MAX_IMPORT_DESCRIPTORS = 4096;
/** Thunks per imported DLL. */
export const MAX_IMPORT_THUNKS_PER_DLL = 65_536;
/** Thunks over the whole import (and delay-import) table. */
export const MAX_IMPORT_THUNKS_TOTAL = 262_144;
/** Export address-table entries (ordinals are 16-bit). */
export const MAX_EXPORT_FUNCTIONS = 65_536;
/** Export names. */
export const MAX_EXPORT_NAMES = 65_536;
/** Length of any ASCIIZ name (DLL names, function names, forwarders), bytes. */
export const MAX_NAME_BYTES = 4096;
/** Resource directory nesting (type / name / language is 3). */
export const MAX_RESOURCE_DEPTH = 8;
/** Resource directory entries visited over the whole tree. */
export const MAX_RESOURCE_ENTRIES = 65_536;
/** VS_VERSIONINFO nodes visited. */
export const MAX_VERSION_NODES = 4096;
/** VS_VERSIONINFO nesting depth (VS_VERSIONINFO / StringFileInfo / StringTable / String is 4). */
export const MAX_VERSION_DEPTH = 6;
/** WIN_CERTIFICATE entries in the attribute certificate table. */
export const MAX_CERTIFICATES = 64;
/** DER nesting depth. */
export const MAX_DER_DEPTH = 32;
/** Bytes `readPeHeaders` reads up front: DOS header, stub, NT headers and section table. */
export const PE_HEADER_READ_BYTES = 64 * 1024;
/** Certificates in one PKCS#7 SignedData (real signatures carry 2–8). */
export const MAX_SIGNED_DATA_CERTIFICATES = 256;
/** Certificates read over all signatures and timestamps of one file (each costs an OpenSSL parse). */
export const MAX_CERTIFICATES_PER_FILE = 1024;
/** SignerInfos in one SignedData (Authenticode requires exactly one; timestamps may add one). */
export const MAX_SIGNER_INFOS = 8;
/** Nested signatures (szOID_NESTED_SIGNATURE) over one file, all levels together. */
export const MAX_NESTED_SIGNATURES = 16;
/** Nesting depth of nested signatures. */
export const MAX_SIGNATURE_NESTING = 4;
/** Certificates in one built chain, signer and anchor included. */
export const MAX_CHAIN_LENGTH = 12;
/** Parsed certificates (and checked issuer links) an AuthenticodeCache keeps; beyond it, work is redone. */
export const MAX_CACHED_CERTIFICATES = 4096;
/** Issuer candidates tried (signature checks) while building one chain. */
export const MAX_CHAIN_CANDIDATES = 64;
