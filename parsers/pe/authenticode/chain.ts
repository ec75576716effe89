import { MAX_CACHED_CERTIFICATES, MAX_CHAIN_CANDIDATES, MAX_CHAIN_LENGTH } from '../limits.js';
import { sameBytes, type Cert } from './cert.js';
import { OID } from './oids.js';
import type { AuthenticodeCache, AuthenticodeChainCert } from './types.js';

export interface ChainOutcome {
  chain: Cert[];
  /** The chain reached a trust anchor. */
  anchored: boolean;
  /** Why the chain is not trusted (null when anchored and every check passed). */
  problem: string | null;
}

function verifiedBy(cert: Cert, issuer: Cert, cache: AuthenticodeCache | undefined): boolean {
  const key = `${cert.sha256}>${issuer.sha256}`;
  const known = cache?.links.get(key);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    ok = cert.x509.verify(issuer.x509.publicKey);
  } catch {
    ok = false; // key type OpenSSL cannot use for this signature: not an issuer
  }
  if (cache && cache.links.size < MAX_CACHED_CERTIFICATES) cache.links.set(key, ok);
  return ok;
}

/** EKU absent = any use; present = must allow `purpose` (or any purpose). */
function allows(cert: Cert, purpose: string): boolean {
  const eku = cert.x509.keyUsage as string[] | undefined;
  return !eku || eku.includes(purpose) || eku.includes(OID.anyEku);
}

/**
 * Builds signer → issuer → ... → anchor from the SignedData's certificates and the anchors.
 * An issuer is a certificate whose subject Name is byte-equal to the issuer Name and whose key
 * verifies the certificate's signature; anchors are preferred. Stops at the first anchor
 * (an intermediate given as an anchor ends the chain there). Bounded: each certificate once
 * (cycles end), MAX_CHAIN_LENGTH links, MAX_CHAIN_CANDIDATES signature checks. Below the anchor,
 * each certificate must be valid at `at` and allow `purpose` (code signing by default).
 */
export function buildChain(leaf: Cert, pool: readonly Cert[], anchors: readonly Cert[], at: Date, purpose: string = OID.codeSigningEku, cache?: AuthenticodeCache): ChainOutcome {
  const isAnchor = (c: Cert): boolean => anchors.some((a) => a.sha256 === c.sha256);
  const chain = [leaf];
  const seen = new Set([leaf.sha256]);
  let tries = 0;
  let problem: string | null = null;
  let anchored = isAnchor(leaf);
  for (let cur = leaf; !anchored && chain.length < MAX_CHAIN_LENGTH;) {
    let next: Cert | undefined;
    for (const c of [...anchors, ...pool]) {
      if (seen.has(c.sha256) || !sameBytes(c.subjectDer, cur.issuerDer)) continue;
      if (++tries > MAX_CHAIN_CANDIDATES) break;
      if (verifiedBy(cur, c, cache)) {
        next = c;
        break;
      }
    }
    if (!next) {
      if (sameBytes(cur.subjectDer, cur.issuerDer)) problem = `chain ends at self-signed ${cur.subject}, not a trust anchor`;
      else problem = `issuer ${cur.issuer} of ${cur.subject} is neither in the signature nor a trust anchor`;
      break;
    }
    chain.push(next);
    seen.add(next.sha256);
    anchored = isAnchor(next);
    cur = next;
  }
  if (!anchored && !problem) problem = `chain longer than ${MAX_CHAIN_LENGTH} certificates`;
  for (const c of chain) {
    if (isAnchor(c) || problem) continue;
    if (at < c.notBefore || at > c.notAfter) problem = `${c.subject} is not valid at ${at.toISOString()} (valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`;
    else if (!allows(c, purpose)) problem = `${c.subject} does not allow ${purpose === OID.codeSigningEku ? 'code signing' : purpose} (extended key usage)`;
  }
  return { chain, anchored, problem };
}

export function chainView(chain: readonly Cert[], anchors: readonly Cert[]): AuthenticodeChainCert[] {
  return chain.map((c) => ({
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    sha1: c.sha1,
    sha256: c.sha256,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    isAnchor: anchors.some((a) => a.sha256 === c.sha256),
  }));
}
