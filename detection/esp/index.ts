/** ESP DLL classification: is it an ESP, where is it, who signed it, how suspect is it. */
export { classifyFile, type ClassifyOptions, type FileClassification, type FileInput } from './classify.js';
export { KNOWN_ESPS, type KnownEspData, type KnownEspDll } from './known-esps.js';
export { baseName, classifyLocation } from './location.js';
export { judgeSignature, parseTrustAnchors, type SignatureJudgement, type TrustAnchor } from './signature.js';
