/**
 * Public API of the report layer: pure renderers from `AnalysisResult` to the report, the
 * exports and the fleet page. The CLI (`cli/report-output.ts`) reads the template files and
 * writes the outputs.
 */
export { renderReport, renderPage, SIBLING_FILES, type RenderReportOptions } from './render-report.js';
export { REPORT_TEMPLATE_FILES, type ReportTemplates } from './templates.js';
export { html, raw, safeUrl, jsonForScript, escapeText, escapeAttr, revealHidden, SafeHtml } from './html.js';
export { buildCsp, cspHash } from './csp.js';
export { renderFleet, keyIndicators, type FleetEntry } from './fleet.js';
export { renderFindingsCsv, FINDINGS_CSV_HEADER } from './exports/findings-csv.js';
export { renderTimelineCsv, TIMELINE_CSV_HEADER } from './exports/timeline-csv.js';
export { renderTimelineJsonl, toTimesketchTime } from './exports/timeline-jsonl.js';
export { renderSummaryMd, mdText } from './exports/summary-md.js';
export { csvCell, renderCsv } from './exports/csv.js';
