import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { FormatError } from '../../common/errors.js';
import { DerTag, derChildren } from '../der.js';
import { contents, oidOf, whole, type AlgorithmId, type SignedData, type SignerInfo } from './cms.js';
import { sameBytes, type Cert } from './cert.js';
import { DIGESTS, OID, SIGNATURE_HASHES } from './oids.js';

const CONTEXT_CONSTRUCTED_2 = 0xa2;
const PSS_DEFAULT_SALT = 20;

/** `sha256` for a supported digest OID, else a FormatError (MD5 and unknown OIDs are not verified). */
export function digestName(sd: SignedData, alg: AlgorithmId, what: string): string {
  const name = DIGESTS[alg.oid];
  if (!name)
    throw new FormatError({ code: 'UNSUPPORTED_VALUE_TYPE', format: 'pe', offset: sd.r.baseOffset, what, message: `pe: ${what} ${alg.oid} is not supported (SHA-1/256/384/512 only; MD5 is refused)` });
  return name;
}

/** The signer's certificate: by issuer and serial (PKCS#7), or by key id / trial (CMS v3). */
export function findSignerCert(sd: SignedData, si: SignerInfo, certs: readonly Cert[]): Cert | null {
  if (si.issuer && si.serial) {
    const issuer = whole(sd.r, si.issuer);
    const serial = contents(sd.r, si.serial);
    return certs.find((c) => sameBytes(c.issuerDer, issuer) && sameBytes(c.serialDer, serial)) ?? null;
  }
  return null;
}

/** RSASSA-PSS-params { [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength, [3] trailerField } (RFC 4055). */
function pssParams(sd: SignedData, alg: AlgorithmId, fallbackHash: string): { hash: string; saltLength: number } {
  let hash = 'sha1';
  let saltLength = PSS_DEFAULT_SALT;
  if (!alg.params) return { hash: fallbackHash, saltLength };
  for (const f of derChildren(sd.r, alg.params, 8)) {
    const [inner] = derChildren(sd.r, f, 9);
    if (f.tag === DerTag.ContextConstructed0 && inner) {
      const [oid] = derChildren(sd.r, inner, 10);
      hash = DIGESTS[oidOf(sd.r, oid, 'RSASSA-PSS hashAlgorithm')] ?? hash;
    } else if (f.tag === CONTEXT_CONSTRUCTED_2 && inner?.tag === DerTag.Integer) {
      saltLength = Number.parseInt(Buffer.from(contents(sd.r, inner)).toString('hex') || '0', 16);
    }
  }
  return { hash, saltLength };
}

/** Verifies `signature` over `data` with the key; RSA PKCS#1 v1.5, RSA-PSS and ECDSA. */
export function checkSignature(sd: SignedData, alg: AlgorithmId, digest: string, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    if (alg.oid === OID.rsaPss) {
      const p = pssParams(sd, alg, digest);
      return verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, signature);
    }
    const hash = SIGNATURE_HASHES[alg.oid] ?? (alg.oid === OID.rsaEncryption || alg.oid === OID.ecPublicKey ? digest : undefined);
    if (!hash)
      throw new FormatError({
        code: 'UNSUPPORTED_VALUE_TYPE',
        format: 'pe',
        offset: sd.r.baseOffset,
        what: 'SignerInfo.signatureAlgorithm',
        message: `pe: signature algorithm ${alg.oid} is not supported`,
      });
    return verify(hash, data, key, signature);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    return false; // OpenSSL rejects the signature encoding or key: it does not verify
  }
}

/**
 * A SignerInfo with authenticated attributes: their messageDigest equals the hash of
 * `signedContent`, and the signature over their DER (re-tagged [0] → SET, RFC 2315 §9.3)
 * verifies with the signer's key. Null when both hold, else why not.
 */
export function signerInfoProblem(sd: SignedData, si: SignerInfo, cert: Cert, signedContent: Uint8Array): string | null {
  const digest = digestName(sd, si.digestAlgorithm, 'SignerInfo.digestAlgorithm');
  if (!si.signedAttrsNode)
    throw new FormatError({ code: 'INVALID', format: 'pe', offset: sd.r.baseOffset, what: 'SignerInfo.authenticatedAttributes', message: 'pe: SignerInfo has no authenticated attributes' });
  const md = si.signedAttrs.filter((a) => a.oid === OID.messageDigest);
  const value = md.length === 1 ? md[0]?.values : undefined;
  if (!value || value.length !== 1 || value[0]?.tag !== DerTag.OctetString)
    throw new FormatError({ code: 'INVALID', format: 'pe', offset: sd.r.baseOffset, what: 'messageDigest', message: 'pe: SignerInfo needs exactly one messageDigest attribute' });
  const actual = createHash(digest).update(signedContent).digest();
  if (!sameBytes(actual, contents(sd.r, value[0]))) return 'the signed attributes do not match the signed content (messageDigest differs)';
  const attrs = Buffer.from(whole(sd.r, si.signedAttrsNode));
  attrs[0] = DerTag.Set;
  if (!checkSignature(sd, si.signatureAlgorithm, digest, attrs, cert.x509.publicKey, si.signature)) return `the signature does not verify with the key of ${cert.subject}`;
  return null;
}
