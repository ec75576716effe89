import { X509Certificate, createHash } from 'node:crypto';
import { ByteReader } from '../../common/byte-reader.js';
import { FormatError } from '../../common/errors.js';
import { renderName } from '../certificate.js';
import { DerTag, derChildren, readDer, type DerNode } from '../der.js';
import { MAX_CACHED_CERTIFICATES } from '../limits.js';
import { contents, invalid } from './cms.js';
import type { AuthenticodeCache } from './types.js';

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const LATIN1 = new TextDecoder('latin1');

/** A certificate from a SignedData or an anchor: OpenSSL's view plus the DER fields espy matches on. */
export interface Cert {
  der: Uint8Array;
  x509: X509Certificate;
  subject: string;
  issuer: string;
  serial: string;
  sha1: string;
  /** SHA-256 of the DER: the cache key (SHA-1 collisions can be made). */
  sha256: string;
  /** DER of the subject and issuer Names, and the serial INTEGER contents, for exact matching. */
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  serialDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** UTCTime (YYMMDDHHMMSSZ, years 50–99 are 19xx) or GeneralizedTime (YYYYMMDDHHMMSS[.f]Z). */
export function decodeDerTime(r: ByteReader, n: DerNode | undefined, what: string): Date {
  if (!n || (n.tag !== UTC_TIME && n.tag !== GENERALIZED_TIME)) throw invalid(r, n, what);
  const s = LATIN1.decode(contents(r, n));
  const m = n.tag === UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) throw invalid(r, n, what);
  let year = Number(m[1]);
  if (n.tag === UTC_TIME) year += year >= 50 ? 1900 : 2000;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const t = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  if (!Number.isFinite(t)) throw invalid(r, n, what);
  return new Date(t);
}

export function createAuthenticodeCache(): AuthenticodeCache {
  return { certs: new Map(), links: new Map() };
}

/** `readCert` through the cache: a certificate already parsed (same DER) is returned as is. */
export function readCertCached(der: Uint8Array, baseOffset: number, cache: AuthenticodeCache | undefined): Cert {
  if (!cache) return readCert(der, baseOffset);
  const key = createHash('sha256').update(der).digest('hex');
  const hit = cache.certs.get(key) as Cert | undefined;
  if (hit && sameBytes(hit.der, der)) return hit;
  const c = readCert(new Uint8Array(der), baseOffset); // a copy: the cache must not pin the file's bytes
  if (cache.certs.size < MAX_CACHED_CERTIFICATES) cache.certs.set(key, c);
  return c;
}

/**
 * Certificate { TBSCertificate { [0] version?, serialNumber, signature, issuer, validity,
 * subject, ... }, signatureAlgorithm, signature } (RFC 5280 §4.1). OpenSSL must accept it too.
 */
export function readCert(der: Uint8Array, baseOffset: number): Cert {
  const r = new ByteReader(der, baseOffset, 'pe');
  const cert = readDer(r, 0, der.byteLength);
  const [tbs] = derChildren(r, cert, 0);
  if (!tbs || tbs.tag !== DerTag.Sequence) throw invalid(r, tbs, 'certificate');
  const f = derChildren(r, tbs, 1);
  const i0 = f[0]?.tag === DerTag.ContextConstructed0 ? 1 : 0;
  const [serial, , issuer, validity, subject] = f.slice(i0);
  if (!serial || !issuer || !validity || !subject || serial.tag !== DerTag.Integer || issuer.tag !== DerTag.Sequence || subject.tag !== DerTag.Sequence) throw invalid(r, tbs, 'TBSCertificate');
  const [nb, na] = derChildren(r, validity, 2);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (e) {
    throw new FormatError({
      code: 'INVALID',
      format: 'pe',
      offset: baseOffset,
      what: 'certificate',
      message: `pe: certificate rejected by OpenSSL: ${e instanceof Error ? e.message : String(e)}`,
      cause: e,
    });
  }
  return {
    der,
    x509,
    subject: renderName(r, subject, 2),
    issuer: renderName(r, issuer, 2),
    serial: toHex(contents(r, serial)),
    sha1: createHash('sha1').update(der).digest('hex'),
    sha256: createHash('sha256').update(der).digest('hex'),
    subjectDer: der.subarray(subject.at, subject.end),
    issuerDer: der.subarray(issuer.at, issuer.end),
    serialDer: contents(r, serial),
    notBefore: decodeDerTime(r, nb, 'validity.notBefore'),
    notAfter: decodeDerTime(r, na, 'validity.notAfter'),
  };
}
