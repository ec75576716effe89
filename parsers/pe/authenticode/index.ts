/** Authenticode verification of PE images (pure: trust anchors and "now" are parameters). */
export { verifyAuthenticode } from './verify.js';
export { authenticodeImageHash } from './image-hash.js';
export type * from './types.js';
