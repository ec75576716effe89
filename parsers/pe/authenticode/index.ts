/** Authenticode verification of PE images (pure: trust anchors and "now" are parameters). */
export { verifyAuthenticode } from './verify.js';
export { authenticodeImageHash } from './image-hash.js';
export { createAuthenticodeCache } from './cert.js';
export type * from './types.js';
