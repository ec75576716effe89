/** What `espy collect` prints (and returns as JSON): the bundle, its hashes, the verdict. */
import type { AnalysisResult } from '../detection/analysis-result.js';
import type { CollectResult } from '../collector/index.js';

export type CollectOutcome = Record<string, unknown>;

export function collectOutcome(res: CollectResult, result: AnalysisResult | undefined, o: { report: string | undefined; recipients: string[] | undefined; analysed: boolean }): CollectOutcome {
  const sealed = o.recipients !== undefined;
  const findings = result?.findings ?? [];
  return {
    bundle: res.bundlePath,
    sealed: o.recipients ? { recipients: o.recipients } : null,
    sha256: res.sha256,
    sidecar: `${res.bundlePath}.sha256`,
    manifestSha256: res.manifestSha256,
    host: res.host,
    incomplete: res.incomplete,
    ...(res.incompleteReason ? { incompleteReason: res.incompleteReason } : {}),
    files: res.files,
    bytes: res.bytes,
    errors: res.errors,
    verdict: result?.verdict.verdict ?? null,
    // Sealed: titles (evidence) stay inside the bundle.
    findings: findings.map((f) =>
      sealed ? { id: f.id, ruleId: f.ruleId, severity: f.severity, count: f.count } : { id: f.id, ruleId: f.ruleId, title: f.title, severity: f.severity, count: f.count },
    ),
    report: o.report ?? null,
    analysis: result
      ? sealed
        ? 'inside the sealed bundle only (analysis.json, report.html)'
        : 'included'
      : o.analysed
        ? 'failed (see collection.log)'
        : 'not available in this build: bundle written without analysis',
  };
}
