import { ByteReader } from '../common/byte-reader.js';
import { FormatError } from '../common/errors.js';
import { MAX_CERTIFICATES } from './limits.js';
import { WIN_CERT_TYPE_PKCS_SIGNED_DATA } from './constants.js';
import { DerTag, decodeOid, derChildren, readDer, type DerNode } from './der.js';
import type { PeSignature } from './types.js';

/** WIN_CERTIFICATE (PE Format §"The Attribute Certificate Table"): 8-byte header, 8-aligned entries. */
export const WIN_CERTIFICATE = {
  headerSize: 8,
  length: 0, // 4, including the header
  revision: 4, // 2
  certificateType: 6, // 2
} as const;

const RDN_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
};
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const UTF16BE = new TextDecoder('utf-16be');
const UTF8 = new TextDecoder('utf-8');
const LATIN1 = new TextDecoder('latin1');

function decodeDirectoryString(bytes: Uint8Array, n: DerNode): string {
  const b = bytes.subarray(n.start, n.end);
  if (n.tag === DerTag.BmpString) return UTF16BE.decode(b);
  if (n.tag === DerTag.Utf8String) return UTF8.decode(b);
  return LATIN1.decode(b);
}

/** An X.501 Name as `CN=..., O=..., C=...` (most specific first, as Windows shows it). */
export function renderName(r: ByteReader, name: DerNode, depth: number): string {
  const parts: string[] = [];
  for (const rdn of derChildren(r, name, depth)) {
    for (const atv of derChildren(r, rdn, depth + 1)) {
      const [oid, value] = derChildren(r, atv, depth + 2);
      if (!oid || !value || oid.tag !== DerTag.Oid) continue;
      const o = decodeOid(r.bytes, oid);
      parts.push(`${RDN_NAMES[o] ?? o}=${decodeDirectoryString(r.bytes, value)}`);
    }
  }
  return parts.reverse().join(', ');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

const invalid = (r: ByteReader, n: DerNode | undefined, what: string): FormatError =>
  new FormatError({ code: 'INVALID', format: 'pe', offset: r.baseOffset + (n?.at ?? 0), what, message: `pe: PKCS#7 ${what} missing or malformed` });

/**
 * The first signer's subject and issuer from a PKCS#7 SignedData (RFC 2315 §9.1):
 *   ContentInfo { contentType, [0] SignedData { version, digestAlgorithms, contentInfo,
 *   [0] certificates, [1] crls?, signerInfos { SignerInfo { version, issuerAndSerialNumber, ... } } } }
 * The signer's certificate is the one whose issuer and serial match the SignerInfo.
 */
export function parsePkcs7Signer(bytes: Uint8Array, baseOffset: number): { subject: string; issuer: string } {
  const r = new ByteReader(bytes, baseOffset, 'pe');
  const ci = readDer(r, 0, bytes.byteLength);
  const [ctype, content] = derChildren(r, ci, 0);
  if (!ctype || ctype.tag !== DerTag.Oid || decodeOid(bytes, ctype) !== OID_SIGNED_DATA || !content) throw invalid(r, ctype, 'contentType');
  const [sd] = derChildren(r, content, 1);
  if (!sd || sd.tag !== DerTag.Sequence) throw invalid(r, sd, 'SignedData');
  const fields = derChildren(r, sd, 2);
  const certs = fields.find((f) => f.tag === DerTag.ContextConstructed0);
  const signerInfos = fields[fields.length - 1];
  if (!signerInfos || signerInfos.tag !== DerTag.Set) throw invalid(r, signerInfos, 'signerInfos');
  const [si] = derChildren(r, signerInfos, 3);
  if (!si) throw invalid(r, signerInfos, 'SignerInfo');
  const [, ias] = derChildren(r, si, 4);
  if (!ias || ias.tag !== DerTag.Sequence) throw invalid(r, ias, 'issuerAndSerialNumber');
  const [issuer, serial] = derChildren(r, ias, 5);
  if (!issuer || !serial) throw invalid(r, ias, 'issuerAndSerialNumber');
  const issuerText = renderName(r, issuer, 6);
  if (!certs) throw invalid(r, sd, 'certificates');
  for (const cert of derChildren(r, certs, 3)) {
    const [tbs] = derChildren(r, cert, 4);
    if (!tbs) continue;
    const tf = derChildren(r, tbs, 5);
    // TBSCertificate: [0] version? serialNumber signature issuer validity subject ...
    const i0 = tf[0]?.tag === DerTag.ContextConstructed0 ? 1 : 0;
    const cSerial = tf[i0];
    const cIssuer = tf[i0 + 2];
    const cSubject = tf[i0 + 4];
    if (!cSerial || !cIssuer || !cSubject) continue;
    if (sameBytes(bytes.subarray(cSerial.start, cSerial.end), bytes.subarray(serial.start, serial.end)) && sameBytes(bytes.subarray(cIssuer.at, cIssuer.end), bytes.subarray(issuer.at, issuer.end))) {
      return { subject: renderName(r, cSubject, 6), issuer: issuerText };
    }
  }
  throw invalid(r, certs, "signer's certificate");
}

/**
 * The attribute certificate table. `offset` is a FILE offset (the SECURITY directory is the
 * one directory that does not hold an RVA).
 */
export function parseCertificateTable(bytes: Uint8Array, offset: number, size: number, onError: (e: unknown) => void): PeSignature {
  const sig: PeSignature = { present: true, offset, size, certificateType: null, signerSubject: null, signerIssuer: null };
  const r = new ByteReader(bytes, 0, 'pe');
  r.need(Math.min(size, WIN_CERTIFICATE.headerSize), 'security.directory', offset);
  let p = offset;
  const end = Math.min(offset + size, bytes.byteLength);
  for (let i = 0; i < MAX_CERTIFICATES && p + WIN_CERTIFICATE.headerSize <= end; i++) {
    const len = r.u32At(p + WIN_CERTIFICATE.length, 'WIN_CERTIFICATE.dwLength');
    const type = r.u16At(p + WIN_CERTIFICATE.certificateType, 'WIN_CERTIFICATE.wCertificateType');
    if (len < WIN_CERTIFICATE.headerSize) break;
    if (i === 0) {
      sig.certificateType = type;
      if (type === WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
        try {
          const body = r.bytes.subarray(p + WIN_CERTIFICATE.headerSize, Math.min(p + len, end));
          const s = parsePkcs7Signer(body, p + WIN_CERTIFICATE.headerSize);
          sig.signerSubject = s.subject;
          sig.signerIssuer = s.issuer;
        } catch (e) {
          onError(e);
        }
      }
      break; // the first entry is the Authenticode signature; nested/dual signatures are not needed here
    }
    p += (len + 7) & ~7;
  }
  return sig;
}
