/**
 * Named limits of the EVTX parser. Breaching one throws `LimitExceededError`
 * (a `FormatError`), which the record iterator turns into one failed record.
 */

/** Size of a chunk [libevtx "Chunk"]: 64 KiB. */
export const EVTX_CHUNK_SIZE_BYTES = 0x10000;
/** Size of the file header block [libevtx "File header"]: 4 KiB. */
export const EVTX_FILE_HEADER_BLOCK_BYTES = 0x1000;
/** Size of a chunk header (records start here, chunk-relative). */
export const EVTX_CHUNK_HEADER_BYTES = 0x200;
/** Smallest possible record: 24-byte header + 4-byte size copy. */
export const EVTX_MIN_RECORD_BYTES = 28;

/** Depth of nested elements, template instances and BinXML substitutions in one record. */
export const MAX_BINXML_DEPTH = 64;
/** Binary XML tokens read for one record (a chunk holds at most 64 KiB of tokens). */
export const MAX_TOKENS_PER_RECORD = 65_536;
/** Substitution values in one template instance. */
export const MAX_SUBSTITUTIONS_PER_TEMPLATE = 4_096;
/** Characters in one element / attribute name. */
export const MAX_NAME_CHARS = 0x8000;
/** Resolved nodes built for one record (bounds template expansion blow-up). */
export const MAX_RESOLVED_NODES_PER_RECORD = 200_000;
/** Chunks read from one file: 4 TiB worth, i.e. effectively bounded by the file size. */
export const MAX_CHUNKS_PER_FILE = 1 << 26;
/** Records found in one chunk (each takes ≥ 28 bytes of 64 KiB). */
export const MAX_RECORDS_PER_CHUNK = Math.floor(EVTX_CHUNK_SIZE_BYTES / EVTX_MIN_RECORD_BYTES) + 1;
/** Recovery candidates examined in the slack of one chunk. */
export const MAX_SLACK_CANDIDATES_PER_CHUNK = 4_096;
/** Diagnostics kept per file (further ones are counted, not stored). */
export const MAX_DIAGNOSTICS_PER_FILE = 10_000;
