/**
 * PE/COFF parser (Microsoft "PE Format" specification): pure functions over bytes.
 * `parsePe(bytes)` for a file in memory; `readPeHeaders(source)` reads only the headers.
 */
export { parsePe } from './pe-file.js';
export { parseHeaders, readPeHeaders } from './headers.js';
export { computeImphash } from './imphash.js';
export { RvaMapper } from './rva.js';
export * from './constants.js';
export * as PE_LIMITS from './limits.js';
export type * from './types.js';
export { verifyAuthenticode, authenticodeImageHash, createAuthenticodeCache } from './authenticode/index.js';
export type * from './authenticode/types.js';
