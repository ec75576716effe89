import type { EspEntry, EspFile, EvidenceRef, Finding, LocationClass, Severity } from '../analysis-result.js';
import { SEVERITIES } from '../analysis-result.js';
import { excerpt } from './evidence-ref.js';
import { namedField } from '../../parsers/common/event-data.js';
import { isMssqlProvider } from '../esp/events.js';
import type { Baseline, DllFacts, SourcedEvent } from './inputs.js';
import { nextStepsFor } from './next-steps.js';
import { hasDirectory, normalizeWinPath, winBasename } from './windows-paths.js';

/**
 * What an ESP DLL's signature and name say about it. "Microsoft-signed" means one thing only:
 * a valid Authenticode signature whose chain ends in a shipped Microsoft root
 * (`signature.microsoftSigned`); a signer's or a version resource's name is a claim anyone
 * can write, so names only ever raise suspicion here, never lower it.
 */

type Draft = Omit<Finding, 'id'>;

export interface TrustInput {
  location: LocationClass;
  file: EspFile | undefined;
  /** The file name is a Microsoft ESP DLL's (xpstar.dll...). */
  knownDll: boolean;
  /** Registered, executed or exported procedures that Microsoft ships / does not ship. */
  knownProcedures: readonly string[];
  unknownProcedures: readonly string[];
  executed: boolean;
  /** Windows itself (Sysmon 7) reported a file with this SHA-256 as validly signed by Microsoft. */
  windowsAttested: boolean;
}

export interface EspTrust {
  microsoftSigned: boolean;
  /** The rule makes the ESP a backdoor (malicious), not only suspicious. */
  malicious: boolean;
  rule?: NonNullable<EspEntry['trustRule']>;
  reasons: string[];
}

const MICROSOFT_COMPANY = /^\s*microsoft corporation\s*$/i;

/** True when the file is validly signed through a shipped Microsoft root. */
export function isMicrosoftSigned(file: EspFile | undefined): boolean {
  return file?.signature?.microsoftSigned === true;
}

/** The signature rules for one ESP DLL (pure; the inventory applies the result). */
export function assessEspTrust(i: TrustInput): EspTrust {
  const sig = i.file?.signature;
  const msSigned = isMicrosoftSigned(i.file);
  const out: EspTrust = { microsoftSigned: msSigned, malicious: false, reasons: [] };
  if (msSigned || !i.file?.present) return out;
  const words = sig?.description ?? (i.file.signed ? 'signature not verified' : 'not signed');
  const microsoftLooking = i.knownDll || (i.knownProcedures.length > 0 && i.unknownProcedures.length === 0);

  // A signer naming Microsoft on a signature that does not verify to a Microsoft root: forged
  // (self-made certificate), altered after signing, or broken. Microsoft's own files verify.
  if (sig && sig.claimsMicrosoft && sig.status !== 'valid' && sig.status !== 'unsigned') {
    // Intact but chained to a root espy does not ship, while Windows reported this very file as
    // validly Microsoft-signed: likely a Microsoft root older than the shipped ones. Still high.
    if (sig.status === 'untrusted' && i.windowsAttested) {
      out.rule = { ruleId: 'espy.esp.microsoft-root-not-shipped', severity: 'high', title: 'ESP DLL signed through a Microsoft root espy does not ship' };
      out.reasons.push(
        `signature claims Microsoft and Windows (Sysmon 7) reported this file as validly Microsoft-signed, but espy cannot verify the chain to a Microsoft root it ships: ${words}; check the root (e.g. an older Microsoft root) and pass it with --trust only if it is Microsoft's`,
      );
      return out;
    }
    out.malicious = true;
    out.rule = { ruleId: 'espy.esp.false-microsoft-signature', severity: 'critical', title: 'ESP DLL with a false Microsoft signature' };
    out.reasons.push(`signature claims Microsoft but is not a valid Microsoft signature: ${words}`);
    return out;
  }
  if (i.location === 'binn' && i.executed && i.unknownProcedures.length > 0) {
    out.malicious = true;
    out.rule = { ruleId: 'espy.esp.backdoor', severity: 'critical', title: 'Backdoor ESP DLL in Binn' };
    out.reasons.push(`ESP DLL in Binn executed by SQL Server with procedure(s) Microsoft does not ship (${i.unknownProcedures.join(', ')}) and no valid Microsoft signature (${words})`);
    return out;
  }
  if (i.location === 'binn' && microsoftLooking) {
    const claimsByVersion = MICROSOFT_COMPANY.test(i.file.company ?? '');
    const signedAtAll = sig ? sig.status !== 'unsigned' : i.file.signed === true;
    // Without an embedded signature a file may still be catalog-signed, which espy does not
    // check but Windows does: a Sysmon 7 record of this very hash as validly Microsoft-signed
    // leaves the low "compare the hash" note (binn-unsigned finding). Anything else is high.
    if (signedAtAll || !i.windowsAttested) {
      out.rule = { ruleId: 'espy.esp.binn-not-microsoft-signed', severity: 'high', title: 'Microsoft ESP DLL in Binn is not Microsoft-signed' };
      const why = signedAtAll ? words : `${words}, and no Windows record (Sysmon 7) of a valid Microsoft signature for this hash (a catalog signature)`;
      out.reasons.push(
        `${i.knownDll ? 'Microsoft ESP DLL name' : 'Microsoft ESP procedures'} in Binn, not validly Microsoft-signed: ${why}${claimsByVersion ? '; its version resource names Microsoft Corporation' : ''}`,
      );
    }
    return out;
  }
  if (i.knownDll && (i.location === 'outside' || i.location === 'sql-server')) {
    out.rule = { ruleId: 'espy.esp.microsoft-name-outside-binn', severity: 'high', title: "Microsoft ESP DLL name outside the instance's Binn" };
    out.reasons.push(`a Microsoft ESP DLL name outside the instance's Binn (Microsoft's ESP DLLs live in Binn); signature: ${words}`);
  }
  return out;
}

/**
 * SHA-256 values (lower-case) of files that Windows reported as validly signed by Microsoft when
 * loading them: Sysmon 7 with Signed true, SignatureStatus Valid and a Microsoft signer. Windows
 * checks catalog signatures too, so this covers Microsoft files without an embedded signature.
 */
export function windowsMicrosoftSignedHashes(events: readonly SourcedEvent[]): Set<string> {
  const out = new Set<string>();
  for (const ev of events) {
    if (ev.summary.eventId !== 7 || isMssqlProvider(ev.summary.provider)) continue;
    if (namedField(ev.event, 'Signed')?.toLowerCase() !== 'true' || namedField(ev.event, 'SignatureStatus') !== 'Valid') continue;
    if (!/^Microsoft (Corporation|Windows)$/i.test(namedField(ev.event, 'Signature')?.trim() ?? '')) continue;
    const sha = /(?:^|,)\s*SHA256=([0-9a-f]{64})\b/i.exec(namedField(ev.event, 'Hashes') ?? '')?.[1];
    if (sha) out.add(sha.toLowerCase());
  }
  return out;
}

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity | undefined): Severity {
  return b !== undefined && SEVERITIES.indexOf(b) < SEVERITIES.indexOf(a) ? b : a;
}

/**
 * The baseline's SHA-256 values for a DLL: rows with the same full path, else rows naming the
 * same file name without a folder (SQL Server resolves bare names in Binn).
 */
export function baselineHashesFor(esps: Baseline['esps'], dllPath: string): string[] {
  const path = normalizeWinPath(dllPath).toLowerCase();
  const base = winBasename(dllPath).toLowerCase();
  const rows = esps.filter((r) => r.sha256 !== undefined);
  const exact = rows.filter((r) => hasDirectory(r.dll) && normalizeWinPath(r.dll).toLowerCase() === path);
  const bare = rows.filter((r) => !hasDirectory(r.dll) && r.dll.toLowerCase() === base);
  return [...new Set((exact.length > 0 ? exact : bare).map((r) => (r.sha256 ?? '').toLowerCase()))].sort();
}

function fileRef(path: string, file: EspFile | undefined, storedPath: string | undefined, text: string): EvidenceRef {
  const ref: EvidenceRef = { artefact: path, kind: 'pe', excerpt: excerpt(text) };
  const stored = storedPath ?? file?.storedPath;
  if (stored) ref.storedPath = stored;
  return ref;
}

/** "ESP DLL changed since the baseline": one high finding per DLL whose hash differs. */
export function findingsFromBaselineHashes(esps: readonly EspEntry[]): Draft[] {
  return esps
    .filter((e) => e.baselineSha256 && e.baselineSha256.length > 0 && e.file?.sha256)
    .map((e) => {
      const path = e.file?.path ?? e.dllPath ?? e.dll;
      return {
        ruleId: 'espy.baseline.esp-dll-changed',
        title: `ESP DLL changed since the baseline: ${path}`,
        severity: 'high',
        attack: ['T1505.001'],
        source: 'baseline',
        explanation: `${path} has SHA-256 ${e.file?.sha256 ?? '?'}; the baseline holds ${e.baselineSha256?.join(', ') ?? '?'} for this DLL. A replaced ESP DLL keeps its name and procedures: only its bytes change. Signature: ${e.file?.signature?.description ?? (e.file?.signed ? 'not verified' : 'not signed')}.`,
        nextSteps: [
          "Compare the file with the baseline host's copy (version resource, signature, exports) and find out who replaced it and when (patching, or an attacker).",
          ...nextStepsFor(['T1505.001'], 'esp'),
        ],
        evidence: [fileRef(path, e.file, undefined, `${winBasename(path)} sha256 ${e.file?.sha256 ?? '?'}; baseline sha256 ${e.baselineSha256?.join(', ') ?? '?'}`)],
        count: 1,
      } satisfies Draft;
    });
}

/**
 * DLLs outside the ESP inventory whose signature names Microsoft but does not verify to a
 * Microsoft root: high (the ESP inventory's own rule makes an ESP DLL critical).
 */
export function findingsFromFalseMicrosoftClaims(dlls: readonly DllFacts[], esps: readonly EspEntry[]): Draft[] {
  const inInventory = new Set(esps.map((e) => (e.file?.path ?? '').toLowerCase()));
  const out: Draft[] = [];
  for (const d of dlls) {
    const sig = d.file.signature;
    if (!sig || !sig.claimsMicrosoft || sig.microsoftSigned || sig.status === 'valid' || sig.status === 'unsigned') continue;
    if (inInventory.has(d.path.toLowerCase())) continue;
    out.push({
      ruleId: 'espy.pe.false-microsoft-signature',
      title: `False Microsoft signature on ${winBasename(d.path)}`,
      severity: d.file.isEsp ? 'critical' : 'high',
      attack: ['T1036.001'],
      source: 'esp',
      explanation: `${d.path}: its signer names Microsoft, but the signature is ${sig.description}. Microsoft's files verify to a Microsoft root; a Microsoft name on a signature that does not is a disguise.`,
      nextSteps: ['Preserve the file, find what loads it (Sysmon 7, services, scheduled tasks) and how it arrived.', ...nextStepsFor(['T1036'], 'signature')],
      evidence: [fileRef(d.path, d.file, d.storedPath, `${winBasename(d.path)} sha256 ${d.file.sha256 ?? '?'}; signature: ${sig.description}`)],
      count: 1,
    });
  }
  return out;
}
