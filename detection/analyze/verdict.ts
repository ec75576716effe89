import type { CoverageEntry, EspEntry, Finding, Verdict } from '../analysis-result.js';
import { COLLECTION_GAPS } from './coverage.js';

/** Backdoors, then critical findings, named one by one in the verdict's reasons up to this many each. */
export const MAX_REASONS_OF_A_KIND = 10;

/**
 * The answer first: COMPROMISED when a backdoor ESP (or equivalent critical evidence) is
 * there; SUSPICIOUS on high or medium findings; NO_INDICATORS otherwise, saying what was not
 * checked.
 */
export function decideVerdict(findings: readonly Finding[], esps: readonly EspEntry[], coverage: readonly CoverageEntry[]): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  const backdoors = esps.filter((e) => e.suspicion === 'malicious');
  for (const e of backdoors.slice(0, MAX_REASONS_OF_A_KIND)) {
    const what = e.procedures.length > 0 ? `ESP '${e.procedures.join("', '")}'` : 'ESP DLL';
    reasons.push(`${what} → ${e.dll}: ${e.reasons[0] ?? 'malicious'}`);
  }
  if (backdoors.length > MAX_REASONS_OF_A_KIND) reasons.push(`and ${backdoors.length - MAX_REASONS_OF_A_KIND} more backdoor ESPs (listed in the ESP inventory)`);
  const critical = findings.filter((f) => f.severity === 'critical' && f.source !== 'esp' && f.source !== 'yara');
  for (const f of critical.slice(0, MAX_REASONS_OF_A_KIND)) reasons.push(f.title);
  if (critical.length > MAX_REASONS_OF_A_KIND) reasons.push(`and ${critical.length - MAX_REASONS_OF_A_KIND} more critical findings`);
  if (backdoors.length > 0 || critical.length > 0) {
    const high = findings.filter((f) => f.severity === 'high').slice(0, 3);
    for (const f of high) reasons.push(f.title);
    return { verdict: 'COMPROMISED', reasons };
  }
  const notable = findings.filter((f) => f.severity === 'high' || f.severity === 'medium');
  if (notable.length > 0) {
    return { verdict: 'SUSPICIOUS', reasons: notable.slice(0, 5).map((f) => `${f.severity}: ${f.title}`) };
  }
  const unreadable = (c: CoverageEntry): boolean => c.source === COLLECTION_GAPS;
  const gaps = coverage.filter((c) => !c.present || unreadable(c)).map((c) => c.notes[0] ?? `${c.source} not available`);
  const checked = coverage.filter((c) => c.present && !unreadable(c)).map((c) => c.source);
  return {
    verdict: 'NO_INDICATORS',
    reasons: [`no indicator of an ESP backdoor in ${checked.length > 0 ? checked.join(', ') : 'the evidence'}`, ...gaps.map((g) => `not checked: ${g}`)],
  };
}
