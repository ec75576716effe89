import { X509Certificate, createHash } from 'node:crypto';
import { FormatError } from '../../parsers/common/errors.js';
import type { AuthenticodeResult, AuthenticodeSignature, AuthenticodeStatus } from '../../parsers/pe/index.js';

/** A certificate espy trusts as the end of a code-signing chain. */
export interface TrustAnchor {
  der: Uint8Array;
  subject: string;
  /** SHA-1 of the DER (thumbprint), hex lower-case. */
  sha1: string;
  /** SHA-256 of the DER: what chains are matched on. */
  sha256: string;
  /** A shipped Microsoft root (rules/trust/microsoft-roots.pem); `--trust` anchors are not. */
  microsoft: boolean;
  /** Where it came from: the asset key or the `--trust` path. */
  source: string;
}

/** What a signature means for the report. */
export interface SignatureJudgement {
  status: AuthenticodeStatus;
  /** A valid signature whose chain ends in a Microsoft anchor: the only "Microsoft-signed" in espy. */
  microsoftSigned: boolean;
  /** Some signer (any signature, nested too, verified or not) names Microsoft in its O or CN. */
  claimsMicrosoft: boolean;
  /** Words for a report ("untrusted self-signed certificate claiming Microsoft Corporation"). */
  description: string;
  /** Subject of the signature that gives the status (null when unsigned or unreadable). */
  signer: string | null;
  /** When a counter-signature or timestamp verified: ISO-8601 UTC. */
  signingTime: string | null;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;
/** Anchors per PEM file: a trust file is a handful of roots, not a certificate store dump. */
export const MAX_TRUST_ANCHORS_PER_FILE = 1000;

/** PEM text → anchors (pure: the CLI reads the files). A file with no readable certificate is an error. */
export function parseTrustAnchors(pem: string, source: string, microsoft: boolean): TrustAnchor[] {
  const out: TrustAnchor[] = [];
  for (const m of pem.matchAll(PEM_BLOCK)) {
    if (out.length >= MAX_TRUST_ANCHORS_PER_FILE)
      throw new FormatError({ code: 'LIMIT_EXCEEDED', format: 'pem', offset: m.index, what: 'MAX_TRUST_ANCHORS_PER_FILE', message: `${source}: more than ${MAX_TRUST_ANCHORS_PER_FILE} certificates` });
    const der = new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
    let x: X509Certificate;
    try {
      x = new X509Certificate(der);
    } catch (e) {
      throw new FormatError({
        code: 'INVALID',
        format: 'pem',
        offset: m.index,
        what: 'certificate',
        message: `${source}: certificate at offset ${m.index} is not a valid X.509 certificate`,
        cause: e,
      });
    }
    out.push({
      der,
      subject: x.subject.split('\n').reverse().join(', '),
      sha1: createHash('sha1').update(der).digest('hex'),
      sha256: createHash('sha256').update(der).digest('hex'),
      microsoft,
      source,
    });
  }
  if (!out.length) throw new FormatError({ code: 'INVALID', format: 'pem', offset: 0, what: 'certificate', message: `${source}: no PEM certificate (-----BEGIN CERTIFICATE-----) found` });
  return out;
}

const all = (sigs: readonly AuthenticodeSignature[]): AuthenticodeSignature[] => sigs.flatMap((s) => [s, ...all(s.nested)]);

/** The value of `CN=` or `O=` in a `CN=..., O=...` name (null when absent). */
function rdn(name: string | undefined, key: 'CN' | 'O'): string | null {
  const m = new RegExp(`(?:^|, )${key}=([^,]*)`).exec(name ?? '');
  return m?.[1]?.trim() || null;
}

/** The O or CN of a signer subject naming Microsoft, or null. */
function microsoftClaim(subject: string | undefined): string | null {
  for (const key of ['O', 'CN'] as const) {
    const v = rdn(subject, key);
    if (v && /microsoft/i.test(v)) return v;
  }
  return null;
}

function endsInMicrosoftAnchor(sig: AuthenticodeSignature, anchors: readonly TrustAnchor[]): boolean {
  const last = sig.chain[sig.chain.length - 1];
  return sig.status === 'valid' && last !== undefined && last.isAnchor && anchors.some((a) => a.microsoft && a.sha256 === last.sha256);
}

/** A reason with each `CN=x, O=y, ...` name shortened to its CN, for a one-line description. */
const shortNames = (reason: string): string => reason.replace(/CN=([^,]+)(?:, (?:O|OU|L|ST|C|E)=[^,]*?(?=,|$| (?:of|is|does|not|at)\b))*/g, '$1');

function words(best: AuthenticodeSignature, claim: string | null, anchors: readonly TrustAnchor[]): string {
  const who = rdn(best.signer?.subject, 'O') ?? rdn(best.signer?.subject, 'CN') ?? best.signer?.subject ?? 'an unreadable signer';
  const via = rdn(best.signer?.issuer, 'CN') ?? best.signer?.issuer ?? '?';
  const claiming = claim && claim !== who ? ` claiming ${claim}` : '';
  switch (best.status) {
    case 'valid': {
      const last = best.chain[best.chain.length - 1];
      const anchor = anchors.find((a) => a.sha256 === last?.sha256);
      return `valid, ${who} via ${via}${anchor && !anchor.microsoft ? ` (trusted by ${anchor.source})` : ''}`;
    }
    case 'untrusted': {
      const self = best.chain.length === 1 && best.signer !== null && best.signer.subject === best.signer.issuer;
      if (self) return `untrusted self-signed certificate ${claim ? `claiming ${claim}` : `of ${who}`}`;
      return `untrusted signature by ${who} via ${via}${claiming} (${shortNames(best.reason)})`;
    }
    case 'bad-digest':
      return `altered after signing (digest mismatch), signed by ${who}${claiming}`;
    case 'bad-signature':
      return `signature does not verify (${best.reason})${claiming}`;
    case 'malformed':
      return `malformed signature (${best.reason})${claiming}`;
    default:
      return 'not signed';
  }
}

/**
 * What a file's Authenticode result means: its status, whether it is Microsoft-signed (only a
 * valid signature whose chain ends in a shipped Microsoft root), whether any signer claims to
 * be Microsoft, and one line of words for the report.
 */
export function judgeSignature(result: AuthenticodeResult, anchors: readonly TrustAnchor[]): SignatureJudgement {
  const sigs = all(result.signatures);
  const claims = sigs.map((s) => microsoftClaim(s.signer?.subject)).filter((c): c is string => c !== null);
  const best = result.best;
  return {
    status: result.status,
    microsoftSigned: sigs.some((s) => endsInMicrosoftAnchor(s, anchors)),
    claimsMicrosoft: claims.length > 0,
    description: best ? words(best, claims[0] ?? null, anchors) : 'not signed',
    signer: best?.signer?.subject ?? null,
    signingTime: best?.signingTime ?? null,
  };
}
