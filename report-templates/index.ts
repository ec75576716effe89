/**
 * Public API of the report layer: pure renderers from `AnalysisResult` to the report, the
 * exports and the fleet page. The CLI (`cli/report-output.ts`) reads the template files and
 * writes the outputs.
 */
export { renderReport, renderPage, SIBLING_FILES, type RenderReportOptions } from './render-report.js';
export { REPORT_TEMPLATE_FILES, type ReportTemplates } from './templates.js';
export { html, raw, safeUrl, jsonForScript, escapeText, escapeAttr, revealHidden, SafeHtml } from './html.js';
export { buildCsp, cspHash } from './csp.js';
