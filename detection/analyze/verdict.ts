import type { CoverageEntry, EspEntry, Finding, Verdict } from '../analysis-result.js';

/**
 * The answer first: COMPROMISED when a backdoor ESP (or equivalent critical evidence) is
 * there; SUSPICIOUS on high or medium findings; NO_INDICATORS otherwise, saying what was not
 * checked.
 */
export function decideVerdict(findings: readonly Finding[], esps: readonly EspEntry[], coverage: readonly CoverageEntry[]): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  const backdoors = esps.filter((e) => e.suspicion === 'malicious');
  for (const e of backdoors) {
    const what = e.procedures.length > 0 ? `ESP '${e.procedures.join("', '")}'` : 'ESP DLL';
    reasons.push(`${what} → ${e.dll}: ${e.reasons[0] ?? 'malicious'}`);
  }
  const critical = findings.filter((f) => f.severity === 'critical' && f.source !== 'esp' && f.source !== 'yara');
  for (const f of critical) reasons.push(f.title);
  if (backdoors.length > 0 || critical.length > 0) {
    const high = findings.filter((f) => f.severity === 'high').slice(0, 3);
    for (const f of high) reasons.push(f.title);
    return { verdict: 'COMPROMISED', reasons };
  }
  const notable = findings.filter((f) => f.severity === 'high' || f.severity === 'medium');
  if (notable.length > 0) {
    return { verdict: 'SUSPICIOUS', reasons: notable.slice(0, 5).map((f) => `${f.severity}: ${f.title}`) };
  }
  const gaps = coverage.filter((c) => !c.present).map((c) => c.notes[0] ?? `${c.source} not available`);
  const checked = coverage.filter((c) => c.present).map((c) => c.source);
  return {
    verdict: 'NO_INDICATORS',
    reasons: [
      `no indicator of an ESP backdoor in ${checked.length > 0 ? checked.join(', ') : 'the evidence'}`,
      ...gaps.map((g) => `not checked: ${g}`),
    ],
  };
}

/**
 * From the first to the last logged evidence (events, logs, exports) of high or critical
 * findings. File-system times are left out: copies, restores and checkouts rewrite them.
 */
export function incidentWindow(findings: readonly Finding[]): { start: string; end: string } | undefined {
  const ts = findings
    .filter((f) => f.severity === 'critical' || f.severity === 'high')
    .flatMap((f) => f.evidence.filter((e) => e.kind !== 'pe').map((e) => e.timestamp))
    .filter((t): t is string => Boolean(t) && /^\d{4}-\d{2}-\d{2}T/.test(t ?? ''))
    .sort();
  const start = ts[0];
  const end = ts[ts.length - 1];
  return start && end ? { start, end } : undefined;
}
