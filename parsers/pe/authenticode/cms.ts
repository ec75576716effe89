import { ByteReader } from '../../common/byte-reader.js';
import { FormatError, LimitExceededError } from '../../common/errors.js';
import { DerTag, decodeOid, derChildren, readDer, type DerNode } from '../der.js';
import { MAX_SIGNED_DATA_CERTIFICATES, MAX_SIGNER_INFOS } from '../limits.js';
import { OID } from './oids.js';

/** [0] IMPLICIT primitive (SubjectKeyIdentifier in a CMS SignerIdentifier). */
const CONTEXT_PRIMITIVE_0 = 0x80;
const CONTEXT_CONSTRUCTED_1 = 0xa1;

export interface AlgorithmId {
  oid: string;
  params: DerNode | undefined;
}

export interface Attribute {
  oid: string;
  values: DerNode[];
}

/** SignerInfo (RFC 2315 §9.2 / RFC 5652 §5.3), with byte ranges into the SignedData's bytes. */
export interface SignerInfo {
  /** issuerAndSerialNumber: the issuer Name node and the serial INTEGER node; null when identified by key id. */
  issuer: DerNode | null;
  serial: DerNode | null;
  subjectKeyId: Uint8Array | null;
  digestAlgorithm: AlgorithmId;
  /** The [0] node of the authenticated attributes (signed as a SET), null when absent. */
  signedAttrsNode: DerNode | null;
  signedAttrs: Attribute[];
  signatureAlgorithm: AlgorithmId;
  signature: Uint8Array;
  unsignedAttrs: Attribute[];
}

export interface SignedData {
  r: ByteReader;
  bytes: Uint8Array;
  /** encapContentInfo's type OID. */
  contentType: string;
  /** The node inside encapContentInfo's [0] EXPLICIT wrapper (SpcIndirectDataContent, or an OCTET STRING). */
  content: DerNode | null;
  /** DER of every certificate (CertificateChoices other than plain certificates are skipped). */
  certificates: Uint8Array[];
  signerInfos: SignerInfo[];
  /** Bytes after the ContentInfo's DER inside the given buffer. */
  trailing: Uint8Array;
}

export function invalid(r: ByteReader, n: DerNode | undefined, what: string): FormatError {
  return new FormatError({ code: 'INVALID', format: 'pe', offset: r.baseOffset + (n?.at ?? 0), what, message: `pe: PKCS#7 ${what} missing or malformed` });
}

export function oidOf(r: ByteReader, n: DerNode | undefined, what: string): string {
  if (!n || n.tag !== DerTag.Oid) throw invalid(r, n, what);
  return decodeOid(r.bytes, n);
}

export function contents(r: ByteReader, n: DerNode): Uint8Array {
  return r.bytes.subarray(n.start, n.end);
}

export function whole(r: ByteReader, n: DerNode): Uint8Array {
  return r.bytes.subarray(n.at, n.end);
}

function algorithm(r: ByteReader, n: DerNode | undefined, depth: number, what: string): AlgorithmId {
  if (!n || n.tag !== DerTag.Sequence) throw invalid(r, n, what);
  const [oid, params] = derChildren(r, n, depth);
  return { oid: oidOf(r, oid, what), params: params && params.tag !== 0x05 ? params : undefined };
}

function attributes(r: ByteReader, n: DerNode, depth: number): Attribute[] {
  return derChildren(r, n, depth).map((a) => {
    const [oid, set] = derChildren(r, a, depth + 1);
    if (!set || set.tag !== DerTag.Set) throw invalid(r, a, 'attribute');
    return { oid: oidOf(r, oid, 'attribute.type'), values: derChildren(r, set, depth + 2) };
  });
}

export function signerInfo(r: ByteReader, n: DerNode, depth: number): SignerInfo {
  const f = derChildren(r, n, depth);
  const sid = f[1];
  let issuer: DerNode | null = null;
  let serial: DerNode | null = null;
  let subjectKeyId: Uint8Array | null = null;
  if (sid?.tag === DerTag.Sequence) {
    const [i, s] = derChildren(r, sid, depth + 1);
    if (!i || !s || i.tag !== DerTag.Sequence || s.tag !== DerTag.Integer) throw invalid(r, sid, 'issuerAndSerialNumber');
    issuer = i;
    serial = s;
  } else if (sid?.tag === CONTEXT_PRIMITIVE_0) {
    subjectKeyId = contents(r, sid);
  } else throw invalid(r, sid, 'SignerInfo.sid');
  let i = 3;
  const digestAlgorithm = algorithm(r, f[2], depth + 1, 'SignerInfo.digestAlgorithm');
  let signedAttrsNode: DerNode | null = null;
  let signedAttrs: Attribute[] = [];
  if (f[i]?.tag === DerTag.ContextConstructed0) {
    signedAttrsNode = f[i] ?? null;
    signedAttrs = attributes(r, f[i] as DerNode, depth + 1);
    i++;
  }
  const signatureAlgorithm = algorithm(r, f[i], depth + 1, 'SignerInfo.signatureAlgorithm');
  const sig = f[i + 1];
  if (!sig || sig.tag !== DerTag.OctetString) throw invalid(r, sig, 'SignerInfo.signature');
  const unsigned = f[i + 2];
  const unsignedAttrs = unsigned?.tag === CONTEXT_CONSTRUCTED_1 ? attributes(r, unsigned, depth + 1) : [];
  return { issuer, serial, subjectKeyId, digestAlgorithm, signedAttrsNode, signedAttrs, signatureAlgorithm, signature: contents(r, sig), unsignedAttrs };
}

/**
 * ContentInfo { contentType signedData, [0] EXPLICIT SignedData { version, digestAlgorithms,
 * encapContentInfo { eContentType, [0] EXPLICIT eContent }, [0] IMPLICIT certificates?,
 * [1] IMPLICIT crls?, signerInfos } } (RFC 2315 §9.1, RFC 5652 §5.1).
 */
export function parseSignedData(bytes: Uint8Array, baseOffset: number, depth = 0): SignedData {
  const r = new ByteReader(bytes, baseOffset, 'pe');
  const ci = readDer(r, 0, bytes.byteLength);
  if (ci.tag !== DerTag.Sequence) throw invalid(r, ci, 'ContentInfo');
  const [ctype, wrapper] = derChildren(r, ci, depth);
  if (oidOf(r, ctype, 'contentType') !== OID.signedData || !wrapper || wrapper.tag !== DerTag.ContextConstructed0) throw invalid(r, ctype, 'contentType');
  const [sd] = derChildren(r, wrapper, depth + 1);
  if (!sd || sd.tag !== DerTag.Sequence) throw invalid(r, sd, 'SignedData');
  const fields = derChildren(r, sd, depth + 2);
  const encap = fields[2];
  if (!encap || encap.tag !== DerTag.Sequence) throw invalid(r, encap, 'encapContentInfo');
  const [etype, econtent] = derChildren(r, encap, depth + 3);
  const contentType = oidOf(r, etype, 'encapContentInfo.contentType');
  const content = econtent?.tag === DerTag.ContextConstructed0 ? (derChildren(r, econtent, depth + 4)[0] ?? null) : null;
  const certificates: Uint8Array[] = [];
  const certs = fields.slice(3).find((f) => f.tag === DerTag.ContextConstructed0);
  if (certs) {
    for (const c of derChildren(r, certs, depth + 3)) {
      if (c.tag !== DerTag.Sequence) continue;
      if (certificates.length >= MAX_SIGNED_DATA_CERTIFICATES)
        throw new LimitExceededError('pe', 'MAX_SIGNED_DATA_CERTIFICATES', certificates.length + 1, MAX_SIGNED_DATA_CERTIFICATES, baseOffset + c.at);
      certificates.push(whole(r, c));
    }
  }
  const sis = fields[fields.length - 1];
  if (fields.length < 4 || !sis || sis.tag !== DerTag.Set) throw invalid(r, sis, 'signerInfos');
  const list = derChildren(r, sis, depth + 3);
  if (list.length > MAX_SIGNER_INFOS) throw new LimitExceededError('pe', 'MAX_SIGNER_INFOS', list.length, MAX_SIGNER_INFOS, baseOffset + sis.at);
  return { r, bytes, contentType, content, certificates, signerInfos: list.map((n) => signerInfo(r, n, depth + 4)), trailing: bytes.subarray(ci.end) };
}
