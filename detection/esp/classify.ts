import { createHash } from 'node:crypto';
import { FormatError, describeError } from '../../parsers/common/errors.js';
import { parsePe, verifyAuthenticode, type AuthenticodeCache, type AuthenticodeResult, type PeInfo } from '../../parsers/pe/index.js';
import type { LocationClass, Suspicion, YaraHit } from '../analysis-result.js';
import { DEFAULT_YARA_TIMEOUT_MS } from '../yara/limits.js';
import type { CompiledYara } from '../yara/types.js';
import type { KnownEspData } from './known-esps.js';
import { baseName, classifyLocation } from './location.js';
import { judgeSignature, type SignatureJudgement, type TrustAnchor } from './signature.js';

/** What the caller knows about the file besides its bytes. */
export interface FileInput {
  /** Original Windows path on the suspect host (`C:\ProgramData\x.dll`). */
  path: string;
  bytes: Uint8Array;
  /** MACB times as ISO-8601 UTC, when the caller has them. */
  times?: { created?: string; modified?: string; accessed?: string; changed?: string };
}

export interface ClassifyOptions {
  yara?: CompiledYara;
  knownEsps: KnownEspData;
  /** YARA scan timeout per file (ms). */
  yaraTimeoutMs?: number;
  /** YARA matched-string cap per rule. */
  yaraMaxMatches?: number;
  /** Authenticode trust anchors (shipped Microsoft roots + `--trust`); none: nothing is `valid`. */
  trust?: readonly TrustAnchor[];
  /** Certificate validity is checked at this time when no verified timestamp exists (default: now). */
  now?: Date;
  /** Parsed certificates shared across the files of one run (`createAuthenticodeCache()`). */
  authenticodeCache?: AuthenticodeCache;
}

export interface FileClassification {
  path: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  times?: FileInput['times'];
  isPe: boolean;
  /** Why the file is not a PE, when it is not. */
  notPeReason?: string;
  is64?: boolean;
  isDll?: boolean;
  timeDateStamp?: string;
  imphash?: string;
  isEsp: boolean;
  /** `imports opends60.dll`, `exports __GetXpVersion`. */
  espReasons: string[];
  /** Exported names (`#<ordinal>` for ordinal-only exports). */
  exports: string[];
  /** Exports that are ESP procedures (exports minus __GetXpVersion, DllMain...). */
  procedures: string[];
  /** `dll!function` (or `dll!#ordinal`), import table then delay-import table. */
  imports: string[];
  /** A certificate table is present (says nothing about its validity: see `signature`). */
  signed: boolean;
  /** Subject of the signature that gives `signature.status`, as read (not a trust statement). */
  signer: string | null;
  /** The Authenticode verdict in detection's terms. */
  signature: SignatureJudgement;
  /** Every signature as verified (null when the file is not a PE). */
  authenticode: AuthenticodeResult | null;
  company: string | null;
  version: { fileVersion: string | null; fileDescription: string | null; originalFilename: string | null; productName: string | null } | null;
  location: LocationClass;
  suspicion: Suspicion;
  reasons: string[];
  yara: YaraHit[];
  diagnostics: string[];
}

const lower = (s: string): string => s.toLowerCase();

function espEvidence(pe: PeInfo): string[] {
  const reasons: string[] = [];
  const all = [...pe.imports, ...pe.delayImports];
  const ods = all.find((i) => lower(i.dll) === 'opends60.dll');
  if (ods) reasons.push(`imports opends60.dll${pe.delayImports.includes(ods) ? ' (delay-load)' : ''}`);
  if (pe.exports.some((e) => e.name === '__GetXpVersion')) reasons.push('exports __GetXpVersion');
  return reasons;
}

const raise = (s: Suspicion): Suspicion => (s === 'malicious' || s === 'suspicious' ? 'malicious' : 'suspicious');

/**
 * Classifies one file: hashes, PE facts, ESP or not (imports opends60.dll or exports
 * __GetXpVersion), location class, signer and company, and a reasoned suspicion:
 * - strong traits (outside an instance Binn, DLL name or a procedure no Microsoft ESP has, no
 *   __GetXpVersion) make an ESP DLL suspicious;
 * - a signer claiming Microsoft without a valid Microsoft signature is a strong trait;
 * - with only weak traits (unsigned or not Microsoft-signed, company not Microsoft) it is
 *   'unknown': it has a Microsoft ESP's profile but nothing proves it is Microsoft's;
 * - with neither (Binn, Microsoft signer and company, known name and procedures) it is benign;
 * - a non-ESP PE is benign, a non-PE unknown;
 * - a YARA hit raises the level one step (benign/unknown → suspicious → malicious).
 * "Microsoft-signed" means a valid Authenticode signature chaining to a shipped Microsoft root
 * (detection/esp/signature.ts), never a signer name.
 */
export async function classifyFile(input: FileInput, opts: ClassifyOptions): Promise<FileClassification> {
  const { bytes } = input;
  const out: FileClassification = {
    path: input.path,
    size: bytes.byteLength,
    md5: createHash('md5').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...(input.times ? { times: input.times } : {}),
    isPe: false,
    isEsp: false,
    espReasons: [],
    exports: [],
    procedures: [],
    imports: [],
    signed: false,
    signer: null,
    signature: { status: 'unsigned', microsoftSigned: false, claimsMicrosoft: false, description: 'not signed', signer: null, signingTime: null },
    authenticode: null,
    company: null,
    version: null,
    location: classifyLocation(input.path),
    suspicion: 'unknown',
    reasons: [],
    yara: [],
    diagnostics: [],
  };

  let pe: PeInfo | undefined;
  try {
    pe = parsePe(bytes);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    out.notPeReason = describeError(e);
  }
  if (pe) {
    const cache = opts.authenticodeCache;
    out.authenticode = verifyAuthenticode(bytes, pe, { anchors: opts.trust ?? [], now: opts.now ?? new Date(), ...(cache ? { cache } : {}) });
    out.signature = judgeSignature(out.authenticode, opts.trust ?? []);
    fillPe(out, pe, opts.knownEsps);
  } else out.reasons.push('not a PE file');

  if (opts.yara) {
    const res = await opts.yara.scan(bytes, { timeoutMs: opts.yaraTimeoutMs ?? DEFAULT_YARA_TIMEOUT_MS, maxMatches: opts.yaraMaxMatches ?? 100 });
    out.yara = res.hits;
    for (const d of res.diagnostics) out.diagnostics.push(`yara: ${d}`);
    if (res.hits.length) {
      out.suspicion = raise(out.suspicion);
      out.reasons.push(`YARA: ${res.hits.map((h) => h.rule).join(', ')}`);
    }
  }
  return out;
}

function fillPe(out: FileClassification, pe: PeInfo, known: KnownEspData): void {
  out.isPe = true;
  out.is64 = pe.is64;
  out.isDll = pe.isDll;
  out.timeDateStamp = pe.timeDateStampIso;
  out.imphash = pe.imphash;
  out.exports = pe.exports.map((e) => e.name ?? `#${e.ordinal}`);
  out.imports = [...pe.imports, ...pe.delayImports].flatMap((i) => i.functions.map((f) => `${i.dll}!${f.name ?? `#${f.ordinal ?? '?'}`}`));
  out.signed = pe.signature.present;
  out.signer = out.signature.signer ?? pe.signature.signerSubject;
  out.company = pe.versionInfo?.companyName ?? null;
  if (pe.versionInfo) {
    const v = pe.versionInfo;
    out.version = { fileVersion: v.fileVersionString ?? v.fileVersion, fileDescription: v.fileDescription, originalFilename: v.originalFilename, productName: v.productName };
  }
  for (const d of pe.diagnostics) out.diagnostics.push(`${d.code} ${d.what} @${d.offset}: ${d.message}`);

  out.espReasons = espEvidence(pe);
  out.isEsp = out.espReasons.length > 0;
  const nonProc = new Set(known.nonProcedureExports.map(lower));
  out.procedures = out.isEsp ? pe.exports.filter((e) => e.name !== null && !nonProc.has(lower(e.name))).map((e) => e.name as string) : [];
  if (!out.isEsp) {
    out.suspicion = 'benign';
    out.reasons.push('not an ESP DLL (no opends60.dll import, no __GetXpVersion export)');
    return;
  }

  // Strong traits: where it lies and what it exports. Weak traits: who signed it, who made it.
  const strong: string[] = [];
  const weak: string[] = [];
  const name = lower(baseName(out.path));
  const knownDll = known.dlls.find((d) => d.dll === name);
  const knownProcs = new Set(known.dlls.flatMap((d) => d.procedures).map(lower));
  if (out.location === 'outside') strong.push('ESP DLL outside the SQL Server folders');
  else if (out.location === 'sql-server') strong.push("ESP DLL under the SQL Server folders but not in an instance's MSSQL\\Binn");
  else if (out.location === 'unknown') strong.push('ESP DLL at an unknown location (no Windows path given)');
  if (!knownDll) strong.push(`DLL name ${name} is not a known Microsoft ESP DLL`);
  const unknownProcs = out.procedures.filter((p) => !knownProcs.has(lower(p)));
  if (unknownProcs.length) strong.push(`exports procedure(s) no Microsoft ESP has: ${unknownProcs.slice(0, 20).join(', ')}`);
  if (!pe.exports.some((e) => e.name === '__GetXpVersion')) strong.push('no __GetXpVersion export (SQL Server logs event 8131 when loading it)');
  const sig = out.signature;
  if (sig.claimsMicrosoft && !sig.microsoftSigned) strong.push(`signer claims Microsoft but is not a valid Microsoft signature: ${sig.description}`);
  else if (!out.signed) weak.push('not Authenticode-signed');
  else if (!sig.microsoftSigned) weak.push(`not Microsoft-signed: ${sig.description}`);
  if (!out.company || !known.microsoftCompanies.some((c) => lower(c) === lower(out.company ?? ''))) {
    weak.push(out.company ? `version-resource company is not Microsoft: ${out.company}` : 'no version-resource company');
  }

  if (strong.length) {
    out.suspicion = 'suspicious';
    out.reasons.push(...strong, ...weak);
  } else if (weak.length) {
    // Looks like a Microsoft ESP (Binn, known name, known procedures) but is not Microsoft-signed:
    // a replaced or patched Binn DLL looks like this, and so do test stand-ins. Not benign, not proven.
    out.suspicion = 'unknown';
    out.reasons.push('ESP DLL in Binn with a Microsoft name and procedures, but:', ...weak, 'compare its hash with a known-good copy of this SQL Server build');
  } else {
    out.suspicion = 'benign';
    out.reasons.push(`Microsoft ESP DLL in Binn, Authenticode ${sig.description}`);
  }
}
