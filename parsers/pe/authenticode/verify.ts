import { FormatError, LimitExceededError, describeError } from '../../common/errors.js';
import { ByteReader } from '../../common/byte-reader.js';
import { ImageDirectoryEntry, WIN_CERT_TYPE_PKCS_SIGNED_DATA } from '../constants.js';
import { WIN_CERTIFICATE } from '../certificate.js';
import { DerTag, derChildren } from '../der.js';
import { MAX_CERTIFICATES, MAX_CERTIFICATES_PER_FILE, MAX_NESTED_SIGNATURES, MAX_SIGNATURE_NESTING } from '../limits.js';
import type { PeHeaders } from '../types.js';
import { buildChain, chainView } from './chain.js';
import { contents, oidOf, parseSignedData, whole } from './cms.js';
import { readCertCached, toHex, type Cert } from './cert.js';
import { authenticodeImageHash } from './image-hash.js';
import { OID } from './oids.js';
import { digestName, findSignerCert, signerInfoProblem } from './signer.js';
import { verifiedSigningTime } from './timestamp.js';
import type { AuthenticodeCache, AuthenticodeResult, AuthenticodeSignature, AuthenticodeStatus, VerifyOptions } from './types.js';

interface Context {
  bytes: Uint8Array;
  pe: PeHeaders;
  anchors: Cert[];
  now: Date;
  /** Image digests by algorithm: computed once per file. */
  digests: Map<string, string>;
  nested: number;
  cache: AuthenticodeCache | undefined;
  /** Certificates read so far for this file (MAX_CERTIFICATES_PER_FILE). */
  certCount: number;
}

function readCerts(ctx: Context, ders: readonly Uint8Array[], baseOffset: number): Cert[] {
  ctx.certCount += ders.length;
  if (ctx.certCount > MAX_CERTIFICATES_PER_FILE) throw new LimitExceededError('pe', 'MAX_CERTIFICATES_PER_FILE', ctx.certCount, MAX_CERTIFICATES_PER_FILE, baseOffset);
  return ders.map((d) => readCertCached(d, baseOffset, ctx.cache));
}

/**
 * Overall status: the best one over every signature, nested included, in this order:
 * valid > untrusted > bad-digest > bad-signature > malformed. A bad-digest signature verified
 * cryptographically (someone real signed something, just not these bytes), so it says more
 * than a signature that does not verify at all. One valid signature is enough, as for Windows,
 * which accepts a file when its signature verifies whatever extra signatures it carries.
 * Except: a table that overlaps the headers or a section, runs past the file, or hides bytes
 * after an entry's PKCS#7 makes the file `malformed` (those bytes escape the image hash).
 */
const RANK: Readonly<Record<AuthenticodeStatus, number>> = { valid: 5, untrusted: 4, 'bad-digest': 3, 'bad-signature': 2, malformed: 1, unsigned: 0 };

/** The reason an entry gets when bytes hide after its PKCS#7 (see verifyPkcs7). */
const HIDDEN_DATA = /data hidden in the certificate table/;

function blank(entry: number, depth: number, status: AuthenticodeStatus, reason: string): AuthenticodeSignature {
  return { status, reason, entry, depth, digestAlgorithm: null, signedDigest: null, calculatedDigest: null, signer: null, chain: [], signingTime: null, signingTimeSource: null, nested: [] };
}

function imageDigest(ctx: Context, alg: string): string {
  let d = ctx.digests.get(alg);
  if (d === undefined) {
    d = toHex(authenticodeImageHash(ctx.bytes, ctx.pe, alg));
    ctx.digests.set(alg, d);
  }
  return d;
}

/** One Authenticode PKCS#7 SignedData (a WIN_CERTIFICATE body or a nested signature). */
function verifyPkcs7(ctx: Context, body: Uint8Array, baseOffset: number, entry: number, depth: number): AuthenticodeSignature {
  const out = blank(entry, depth, 'malformed', '');
  try {
    const sd = parseSignedData(body, baseOffset);
    // Up to 7 zero bytes pad an entry to 8; anything more is data the signature does not cover
    // hidden where the image hash does not look (the WinVerifyTrust padding trick, CVE-2013-3900).
    if (sd.trailing.byteLength >= 8 || sd.trailing.some((b) => b !== 0))
      throw new FormatError({
        code: 'INVALID',
        format: 'pe',
        offset: baseOffset + body.byteLength - sd.trailing.byteLength,
        what: 'WIN_CERTIFICATE padding',
        message: `pe: ${sd.trailing.byteLength} byte(s) after the PKCS#7 inside its WIN_CERTIFICATE (data hidden in the certificate table)`,
      });
    const si = sd.signerInfos[0];
    for (const a of si?.unsignedAttrs ?? []) {
      if (a.oid !== OID.nestedSignature) continue;
      for (const v of a.values) {
        if (depth + 1 > MAX_SIGNATURE_NESTING) throw new LimitExceededError('pe', 'MAX_SIGNATURE_NESTING', depth + 1, MAX_SIGNATURE_NESTING, baseOffset + v.at);
        if (++ctx.nested > MAX_NESTED_SIGNATURES) throw new LimitExceededError('pe', 'MAX_NESTED_SIGNATURES', ctx.nested, MAX_NESTED_SIGNATURES, baseOffset + v.at);
        out.nested.push(verifyPkcs7(ctx, whole(sd.r, v), baseOffset + v.at, entry, depth + 1));
      }
    }
    if (sd.contentType !== OID.spcIndirectData || sd.content?.tag !== DerTag.Sequence)
      throw new FormatError({ code: 'INVALID', format: 'pe', offset: baseOffset, what: 'SpcIndirectDataContent', message: `pe: signed content is ${sd.contentType}, not SpcIndirectDataContent` });
    // SpcIndirectDataContent { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo { digestAlgorithm, digest } }
    const [, digestInfo] = derChildren(sd.r, sd.content, 4);
    if (!digestInfo)
      throw new FormatError({ code: 'INVALID', format: 'pe', offset: baseOffset, what: 'SpcIndirectDataContent.messageDigest', message: 'pe: SpcIndirectDataContent has no DigestInfo' });
    const [alg, digest] = derChildren(sd.r, digestInfo, 5);
    const [algOid] = alg ? derChildren(sd.r, alg, 6) : [];
    const oid = oidOf(sd.r, algOid, 'DigestInfo.digestAlgorithm');
    out.digestAlgorithm = oid;
    if (!digest || digest.tag !== DerTag.OctetString)
      throw new FormatError({ code: 'INVALID', format: 'pe', offset: baseOffset, what: 'DigestInfo.digest', message: 'pe: DigestInfo.digest is not an OCTET STRING' });
    out.signedDigest = toHex(contents(sd.r, digest));
    const algName = digestName(sd, { oid, params: undefined }, 'SpcIndirectDataContent digest algorithm');
    out.digestAlgorithm = algName;
    out.calculatedDigest = imageDigest(ctx, algName);
    if (sd.signerInfos.length !== 1 || !si)
      throw new FormatError({ code: 'INVALID', format: 'pe', offset: baseOffset, what: 'signerInfos', message: `pe: Authenticode needs exactly one SignerInfo, found ${sd.signerInfos.length}` });
    const certs = readCerts(ctx, sd.certificates, baseOffset);
    const cert = findSignerCert(sd, si, certs);
    if (!cert) throw new FormatError({ code: 'INVALID', format: 'pe', offset: baseOffset, what: 'signer certificate', message: "pe: the signer's certificate is not in the SignedData" });
    out.signer = { subject: cert.subject, issuer: cert.issuer, serial: cert.serial };
    out.chain = chainView([cert], ctx.anchors);
    const sigProblem = signerInfoProblem(sd, si, cert, contents(sd.r, sd.content));
    if (sigProblem) return { ...out, status: 'bad-signature', reason: sigProblem };
    if (out.signedDigest !== out.calculatedDigest) return { ...out, status: 'bad-digest', reason: 'the file was altered after signing (image digest differs from the signed one)' };
    const st = verifiedSigningTime(sd, si, certs, ctx.anchors, (ders, base) => readCerts(ctx, ders, base));
    if (st) {
      out.signingTime = st.time.toISOString();
      out.signingTimeSource = st.source;
    }
    const chain = buildChain(cert, certs, ctx.anchors, st?.time ?? ctx.now, OID.codeSigningEku, ctx.cache);
    out.chain = chainView(chain.chain, ctx.anchors);
    if (chain.anchored && chain.problem === null) return { ...out, status: 'valid', reason: `chains to trust anchor ${chain.chain[chain.chain.length - 1]?.subject ?? '?'}` };
    return { ...out, status: 'untrusted', reason: chain.problem ?? 'no trust anchor reached' };
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    return { ...out, status: 'malformed', reason: describeError(e) };
  }
}

function flatten(sigs: readonly AuthenticodeSignature[]): AuthenticodeSignature[] {
  return sigs.flatMap((s) => [s, ...flatten(s.nested)]);
}

/**
 * Verifies every Authenticode signature of a PE image held in memory: each WIN_CERTIFICATE
 * entry (8-byte aligned) and the signatures nested in them. Pure: anchors and "now" come in.
 */
export function verifyAuthenticode(bytes: Uint8Array, pe: PeHeaders, opts: VerifyOptions): AuthenticodeResult {
  const sec = pe.dataDirectories[ImageDirectoryEntry.Security];
  if (!sec || sec.virtualAddress === 0 || sec.size === 0) return { status: 'unsigned', best: null, signatures: [] };
  const anchors: Cert[] = [];
  for (const a of opts.anchors) {
    try {
      anchors.push(readCertCached(a.der, 0, opts.cache));
    } catch (e) {
      if (!(e instanceof FormatError)) throw e; // an unreadable anchor anchors nothing
    }
  }
  const ctx: Context = { bytes, pe, anchors, now: opts.now, digests: new Map(), nested: 0, cache: opts.cache, certCount: 0 };
  const signatures: AuthenticodeSignature[] = [];
  const end = Math.min(sec.virtualAddress + sec.size, bytes.byteLength);
  const r = new ByteReader(bytes, 0, 'pe');
  let p = sec.virtualAddress;
  // Problems of the table itself make the whole file malformed, whatever its signatures say.
  const fatal: AuthenticodeSignature[] = [];
  if (sec.virtualAddress + sec.size > bytes.byteLength) fatal.push(blank(0, 0, 'malformed', 'pe: the certificate table runs past the end of the file'));
  // The table is not hashed: lying over the headers or a section, it would hide what it covers.
  const covered = pe.sections.find((s) => s.sizeOfRawData > 0 && sec.virtualAddress < s.pointerToRawData + s.sizeOfRawData && sec.virtualAddress + sec.size > s.pointerToRawData);
  if (covered || sec.virtualAddress < pe.sizeOfHeaders) fatal.push(blank(0, 0, 'malformed', `pe: the certificate table overlaps ${covered ? `section ${covered.name}` : 'the headers'}`));
  signatures.push(...fatal);
  for (let i = 0; signatures.length === 0 || p + WIN_CERTIFICATE.headerSize <= end; i++) {
    if (i >= MAX_CERTIFICATES || p + WIN_CERTIFICATE.headerSize > end) {
      signatures.push(blank(i, 0, 'malformed', i >= MAX_CERTIFICATES ? `pe: more than ${MAX_CERTIFICATES} WIN_CERTIFICATE entries` : 'pe: certificate table too short for a WIN_CERTIFICATE'));
      break;
    }
    const len = r.u32At(p + WIN_CERTIFICATE.length, 'WIN_CERTIFICATE.dwLength');
    const type = r.u16At(p + WIN_CERTIFICATE.certificateType, 'WIN_CERTIFICATE.wCertificateType');
    if (len <= WIN_CERTIFICATE.headerSize || p + len > end) {
      signatures.push(blank(i, 0, 'malformed', `pe: WIN_CERTIFICATE ${i} length ${len} does not fit the certificate table`));
      break;
    }
    if (type !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) signatures.push(blank(i, 0, 'malformed', `pe: WIN_CERTIFICATE ${i} type ${type} is not PKCS#7 SignedData`));
    else signatures.push(verifyPkcs7(ctx, bytes.subarray(p + WIN_CERTIFICATE.headerSize, p + len), p + WIN_CERTIFICATE.headerSize, i, 0));
    p += (len + 7) & ~7;
  }
  for (const s of signatures) if (HIDDEN_DATA.test(s.reason)) fatal.push(s);
  let best: AuthenticodeSignature | null = fatal[0] ?? null;
  if (!best) for (const s of flatten(signatures)) if (!best || RANK[s.status] > RANK[best.status]) best = s;
  return { status: best?.status ?? 'malformed', best, signatures };
}
