import type { LoadResult } from './loader.js';
import type { RuleError, RuleErrorCode } from './types.js';

/** The `--check` load report: counts, and rejections grouped by reason class. */
export interface LoadReport {
  documents: number;
  loaded: number;
  detection: number;
  correlation: number;
  rejected: number;
  /** loaded / documents, 0..1. */
  loadedRatio: number;
  byCode: Partial<Record<RuleErrorCode, number>>;
  errors: RuleError[];
}

export function summarizeLoad(r: LoadResult): LoadReport {
  const byCode: Partial<Record<RuleErrorCode, number>> = {};
  for (const e of r.errors) byCode[e.code] = (byCode[e.code] ?? 0) + 1;
  const loaded = r.rules.size;
  return {
    documents: r.documents,
    loaded,
    detection: r.rules.rules.length,
    correlation: r.rules.correlations.length,
    rejected: r.errors.length,
    loadedRatio: r.documents === 0 ? 0 : loaded / r.documents,
    byCode,
    errors: r.errors,
  };
}

/** The Sigma half of `AnalysisResult.ruleLoad` (detection/analysis-result.ts). */
export function toRuleLoadFields(report: LoadReport): { sigmaLoaded: number; sigmaRejected: { path: string; line?: number; reason: string }[] } {
  return {
    sigmaLoaded: report.loaded,
    sigmaRejected: report.errors.map((e) => ({ path: e.path, line: e.line, reason: `${e.code}: ${e.reason}` })),
  };
}
