/** The Authenticode verification model (plain JSON-serialisable data). */

/**
 * - `valid`: image digest, signer signature and chain to a trust anchor all check out;
 * - `untrusted`: digest and signature fine, the chain ends elsewhere (self-signed, unknown root,
 *   expired at signing time, no code-signing EKU);
 * - `bad-digest`: the signature verifies but the file was altered after signing;
 * - `bad-signature`: the signed attributes or the signature do not verify;
 * - `malformed`: the PKCS#7 cannot be read or uses what espy does not verify (MD5, unknown OIDs);
 * - `unsigned`: no attribute certificate table.
 */
export type AuthenticodeStatus = 'valid' | 'untrusted' | 'bad-digest' | 'bad-signature' | 'malformed' | 'unsigned';

/** One certificate of a built chain, signer first. */
export interface AuthenticodeChainCert {
  /** `CN=..., O=..., C=...` (most specific first). */
  subject: string;
  issuer: string;
  /** Serial number, hex lower-case. */
  serial: string;
  /** SHA-1 of the DER (the Windows thumbprint), hex lower-case. */
  sha1: string;
  /** SHA-256 of the DER, hex lower-case (identity: SHA-1 collisions can be made). */
  sha256: string;
  notBefore: string;
  notAfter: string;
  /** Byte-identical to a trust anchor passed in. */
  isAnchor: boolean;
}

export interface AuthenticodeSignature {
  status: AuthenticodeStatus;
  /** One line: why this status. */
  reason: string;
  /** WIN_CERTIFICATE index (0-based) the signature came from. */
  entry: number;
  /** 0 = a WIN_CERTIFICATE's own signature, 1 = nested inside it, ... */
  depth: number;
  /** `sha1`, `sha256`, `sha384`, `sha512`, or the OID when not supported. */
  digestAlgorithm: string | null;
  /** Image digest held in SpcIndirectDataContent, hex. */
  signedDigest: string | null;
  /** Image digest espy computed from the file, hex. */
  calculatedDigest: string | null;
  signer: { subject: string; issuer: string; serial: string } | null;
  /** Signer first; when `valid` the last one is the anchor. */
  chain: AuthenticodeChainCert[];
  /** ISO-8601 UTC, only from a counter-signature or timestamp that verified. */
  signingTime: string | null;
  signingTimeSource: 'counter-signature' | 'rfc3161' | null;
  nested: AuthenticodeSignature[];
}

export interface AuthenticodeResult {
  /** The best status over every signature, nested ones included (see verify.ts); `unsigned` when none. */
  status: AuthenticodeStatus;
  /** The signature that gives `status` (null when unsigned). */
  best: AuthenticodeSignature | null;
  /** Every WIN_CERTIFICATE's signature (nested ones under `.nested`). */
  signatures: AuthenticodeSignature[];
}

/** A trust anchor as the parser takes it: DER bytes. What an anchor means is detection's call. */
export interface TrustAnchorInput {
  der: Uint8Array;
}

/**
 * Parsed certificates keyed by the SHA-256 of their DER, owned by the caller and shared across files: the
 * same signer and CA certificates recur in every file of a product, and OpenSSL's certificate
 * parse is the dominant cost of verification. Contents are opaque.
 */
export interface AuthenticodeCache {
  certs: Map<string, unknown>;
  /** `child-sha256>issuer-sha256` → the issuer's key verifies the child's signature. */
  links: Map<string, boolean>;
}

export interface VerifyOptions {
  anchors: readonly TrustAnchorInput[];
  /** Reuse parsed certificates across calls (see `createAuthenticodeCache`). */
  cache?: AuthenticodeCache;
  /** Validity is checked at this time when no verified signing time exists. */
  now: Date;
}
