/** `findings.csv`: one row per evidence item of every finding (a finding without evidence gets one row). */
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { rankFindings } from '../sections/affected.js';
import { renderCsv, type CsvValue } from './csv.js';

export const FINDINGS_CSV_HEADER = [
  'host',
  'verdict',
  'finding_id',
  'severity',
  'title',
  'rule_id',
  'source',
  'attack',
  'count',
  'first_seen',
  'last_seen',
  'evidence_timestamp',
  'evidence_artefact',
  'evidence_stored_path',
  'evidence_kind',
  'record_id',
  'line',
  'offset',
  'decisive',
  'excerpt',
  'explanation',
  'next_steps',
] as const;

export function renderFindingsCsv(r: AnalysisResult): string {
  const rows: CsvValue[][] = [];
  for (const f of rankFindings(r.findings)) {
    const common: CsvValue[] = [r.host.name, r.verdict.verdict, f.id, f.severity, f.title, f.ruleId, f.source, f.attack.join(' '), f.count, f.firstSeen, f.lastSeen];
    const tail: CsvValue[] = [f.explanation, f.nextSteps.join(' | ')];
    if (f.evidence.length === 0) rows.push([...common, '', '', '', '', '', '', '', '', '', ...tail]);
    for (const e of f.evidence) {
      rows.push([...common, e.timestamp, e.artefact, e.storedPath, e.kind, e.recordId, e.line, e.offset, e.decisive, e.excerpt, ...tail]);
    }
  }
  return renderCsv(FINDINGS_CSV_HEADER, rows);
}
