import { ANALYSIS_SCHEMA_VERSION, type AnalysisResult, type RuleLoadReport } from '../analysis-result.js';
import { buildCoverage } from './coverage.js';
import { baselineKey, buildEspInventory, type KnownEsps } from './esp-inventory.js';
import { capPerRule, findingsFromEsps, findingsFromFiles, findingsFromHits, findingsFromLogins, finalizeFindings } from './findings.js';
import { findingsFromIntegrity, leadWith } from './manifest-claims.js';
import type { AnalysisInputs } from './inputs.js';
import { buildLogins } from './logins.js';
import { buildTimeline } from './timeline.js';
import { decideVerdict } from './verdict.js';
import { findingsFromAntiForensics, withAntiForensics } from './anti-forensics.js';
import { incidentWindow } from './incident-window.js';
import { findingsOfFlood } from './flood.js';

export interface AssembleMeta {
  espyVersion: string;
  generatedAt: string;
  command?: string;
  source: AnalysisResult['source'];
  ruleLoad: RuleLoadReport;
  known: KnownEsps;
  timings: Record<string, number>;
  collection?: AnalysisResult['collection'];
}

/** The analyse phase, pure: parsed evidence → AnalysisResult, with no I/O and no clock. */
export function assembleResult(inputs: AnalysisInputs, meta: AssembleMeta): AnalysisResult {
  const baseline = inputs.baseline ? new Set(inputs.baseline.esps.map((e) => baselineKey(e.procedure, e.dll))) : undefined;
  const esps = buildEspInventory({
    events: inputs.events,
    sqlEsps: inputs.sql?.esps,
    dlls: inputs.dlls,
    known: meta.known,
    ...(baseline ? { baseline } : {}),
    ...(inputs.baseline ? { baselineEsps: inputs.baseline.esps } : {}),
  });
  const drafts = [...findingsFromEsps(esps, inputs.events, inputs.sql), ...findingsFromFiles(inputs.dlls, esps), ...findingsFromHits(inputs.hits, inputs.hitOverflow)];
  for (const d of inputs.flood ? findingsOfFlood(inputs.flood) : []) drafts.push(d);
  const antiForensics = findingsFromAntiForensics({ esps, events: inputs.events, sql: inputs.sql, stats: inputs.stats, dlls: inputs.dlls });
  for (const d of antiForensics) drafts.push(d);
  // The window comes from the event and file evidence; logins created in it are then findings too.
  const window0 = incidentWindow(finalizeFindings(drafts));
  const logins = buildLogins(inputs.sql, window0);
  for (const d of findingsFromLogins(logins)) drafts.push(d);
  // The evidence's own claims come first: they say how far the rest can be trusted.
  const findings = leadWith(findingsFromIntegrity(inputs.integrity, inputs.artefactCount ?? 0), finalizeFindings(capPerRule(drafts)));
  const window = incidentWindow(findings);
  const coverage = buildCoverage(inputs.stats, inputs.sql, inputs.dlls, inputs.collectionGaps);
  const verdict = decideVerdict(findings, esps, coverage);
  if (verdict.verdict === 'NO_INDICATORS' && inputs.errors.length > 0) {
    const unread = new Set(inputs.errors.map((e) => e.artefact));
    verdict.reasons.push(`not checked: ${unread.size} artefact(s) could not be read in full (listed under errors)`);
  }
  const timeline = withAntiForensics(buildTimeline({ hits: inputs.hits, events: inputs.events, esps, logins, sql: inputs.sql }), antiForensics);

  const host: AnalysisResult['host'] = { name: inputs.hostName, sqlInstances: inputs.sqlInstances };
  for (const k of ['os', 'domain', 'timeZone'] as const) {
    const v = inputs.hostInfo?.[k];
    if (v) host[k] = v;
  }
  const result: AnalysisResult = {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    espyVersion: meta.espyVersion,
    generatedAt: meta.generatedAt,
    host,
    source: meta.source,
    verdict,
    findings,
    esps,
    logins,
    timeline,
    coverage,
    ruleLoad: meta.ruleLoad,
    errors: inputs.errors,
    timings: meta.timings,
  };
  if (meta.command) result.command = meta.command;
  if (window) {
    result.incidentWindow = { start: window.start, end: window.end };
    if (window.outside.length > 0) result.incidentWindow.outside = window.outside.map((c) => ({ start: c.start, end: c.end, count: c.count }));
  }
  if (meta.collection) result.collection = meta.collection;
  return result;
}
