import { createHash } from 'node:crypto';
import { ByteReader } from '../../common/byte-reader.js';
import { FormatError } from '../../common/errors.js';
import { DerTag, derChildren } from '../der.js';
import { buildChain } from './chain.js';
import { contents, oidOf, parseSignedData, signerInfo, whole, type SignedData, type SignerInfo } from './cms.js';
import { decodeDerTime, sameBytes, type Cert } from './cert.js';

/** Reads a SignedData's certificates (the caller counts them against its per-file budget). */
export type CertReader = (ders: readonly Uint8Array[], baseOffset: number) => Cert[];
import { OID } from './oids.js';
import { digestName, findSignerCert, signerInfoProblem } from './signer.js';

export interface SigningTime {
  time: Date;
  source: 'counter-signature' | 'rfc3161';
}

/** The TSA's key verifies, and its chain reaches an anchor valid at the stated time. */
function trusted(cert: Cert | null, pool: readonly Cert[], anchors: readonly Cert[], at: Date): boolean {
  if (!cert) return false;
  const c = buildChain(cert, pool, anchors, at, OID.timeStampingEku);
  return c.anchored && c.problem === null;
}

/** PKCS#9 counter-signature: a SignerInfo over the signer's encryptedDigest, its signingTime the time. */
function counterSignature(sd: SignedData, parent: SignerInfo, csNode: Parameters<typeof signerInfo>[1], certs: readonly Cert[], anchors: readonly Cert[]): Date | null {
  const cs = signerInfo(sd.r, csNode, 6);
  const cert = findSignerCert(sd, cs, certs);
  if (!cert || signerInfoProblem(sd, cs, cert, parent.signature) !== null) return null;
  const st = cs.signedAttrs.find((a) => a.oid === OID.signingTime)?.values[0];
  if (!st) return null;
  const time = decodeDerTime(sd.r, st, 'signingTime');
  return trusted(cert, certs, anchors, time) ? time : null;
}

/**
 * RFC 3161 token (Microsoft's szOID_RFC3161_counterSign): a SignedData over TSTInfo { version,
 * policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber, genTime, ... } whose
 * imprint is the hash of the signer's encryptedDigest.
 */
function rfc3161(sd: SignedData, parent: SignerInfo, tokenNode: Parameters<typeof signerInfo>[1], anchors: readonly Cert[], read: CertReader): Date | null {
  const tok = parseSignedData(whole(sd.r, tokenNode), sd.r.baseOffset + tokenNode.at, 4);
  if (tok.contentType !== OID.tstInfo || tok.content?.tag !== DerTag.OctetString || tok.signerInfos.length !== 1) return null;
  const tstBytes = contents(tok.r, tok.content);
  const tr = new ByteReader(tstBytes, tok.r.baseOffset + tok.content.start, 'pe');
  const [tst] = derChildren(tr, { tag: DerTag.Sequence, at: 0, start: 0, end: tstBytes.byteLength }, 5);
  if (!tst) return null;
  const [, policy, imprint, , genTime] = derChildren(tr, tst, 6);
  oidOf(tr, policy, 'TSTInfo.policy');
  if (!imprint) return null;
  const [alg, hashed] = derChildren(tr, imprint, 7);
  if (!alg || !hashed || hashed.tag !== DerTag.OctetString) return null;
  const [algOid] = derChildren(tr, alg, 8);
  const h = digestName(tok, { oid: oidOf(tr, algOid, 'messageImprint.hashAlgorithm'), params: undefined }, 'messageImprint.hashAlgorithm');
  if (!sameBytes(createHash(h).update(parent.signature).digest(), contents(tr, hashed))) return null;
  const certs = read(tok.certificates, tok.r.baseOffset);
  const si = tok.signerInfos[0] as SignerInfo;
  const candidates = si.issuer ? [findSignerCert(tok, si, certs)] : certs;
  const cert = candidates.find((c) => c !== null && signerInfoProblem(tok, si, c, tstBytes) === null) ?? null;
  const time = decodeDerTime(tr, genTime, 'TSTInfo.genTime');
  return trusted(cert, certs, anchors, time) ? time : null;
}

/**
 * The signing time from the first counter-signature or RFC 3161 timestamp that verifies and
 * chains to an anchor; null when none does (the caller then checks validity at "now").
 */
export function verifiedSigningTime(sd: SignedData, si: SignerInfo, certs: readonly Cert[], anchors: readonly Cert[], read: CertReader): SigningTime | null {
  for (const a of si.unsignedAttrs) {
    for (const v of a.values) {
      try {
        if (a.oid === OID.counterSignature) {
          const t = counterSignature(sd, si, v, certs, anchors);
          if (t) return { time: t, source: 'counter-signature' };
        } else if (a.oid === OID.rfc3161Timestamp) {
          const t = rfc3161(sd, si, v, anchors, read);
          if (t) return { time: t, source: 'rfc3161' };
        }
      } catch (e) {
        if (!(e instanceof FormatError)) throw e; // a malformed timestamp gives no time; the signature still stands
      }
    }
  }
  return null;
}
