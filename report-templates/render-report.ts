/**
 * `renderReport`: `AnalysisResult` → one self-contained HTML file. Pure and
 * deterministic: the same result, templates and options give the same bytes (no clock, no
 * environment; every list is stably sorted; times are the UTC strings of the result).
 */
import type { AnalysisResult } from '../detection/analysis-result.js';
import { buildCsp } from './csp.js';
import { escapeAttr, html, type SafeHtml } from './html.js';
import { renderAffected } from './sections/affected.js';
import { renderCollection, renderCoverage } from './sections/coverage.js';
import { renderFindings } from './sections/findings.js';
import { renderHeader, verdictInfo } from './sections/header.js';
import { renderEsps, renderLogins } from './sections/inventory.js';
import { renderTimeline } from './sections/timeline.js';
import { assertInlineSafe, fillSkeleton, type ReportTemplates } from './templates.js';

export interface RenderReportOptions {
  /** When the report was rendered (UTC ISO-8601), passed in: the renderer reads no clock. */
  generatedAt: string;
  /** The evidence bundle this report describes (overrides `result.source.bundle*`). */
  bundle?: { name: string; sha256: string };
}

/** Files written beside the report, linked from its footer (relative links). */
export const SIBLING_FILES = ['analysis.json', 'findings.csv', 'timeline.csv', 'timeline.jsonl', 'summary.md'] as const;

function nav(r: AnalysisResult): SafeHtml {
  const links: [string, string][] = [
    ['affected', 'Is this host affected?'],
    ['findings', `Findings (${r.findings.length})`],
    ['esps', `ESPs (${r.esps.length})`],
    ['logins', `Logins (${r.logins.length})`],
    ['timeline', `Timeline (${r.timeline.length})`],
    ['coverage', 'Coverage and gaps'],
    ['collection', 'Collection'],
  ];
  return html`<nav class="toc" aria-label="Sections">${links.map(([id, label]) => html`<a href="#${id}">${label}</a>`)}</nav>`;
}

/**
 * Assembles a page from the skeleton: computes the CSP from the exact inline style and
 * script emitted. Shared by `renderReport` and `renderFleet`.
 */
export function renderPage(t: ReportTemplates, page: { title: string; generator: string; bodyClass: string; body: SafeHtml; data: SafeHtml }): string {
  assertInlineSafe('style', t.css);
  assertInlineSafe('script', t.js);
  return fillSkeleton(t.skeleton, {
    csp: escapeAttr(buildCsp({ styles: [t.css], scripts: [t.js] })),
    title: escapeAttr(page.title),
    generator: escapeAttr(page.generator),
    style: t.css,
    bodyClass: escapeAttr(page.bodyClass),
    body: page.body.value,
    data: page.data.value,
    script: t.js,
  });
}

export function renderReport(result: AnalysisResult, templates: ReportTemplates, opts: RenderReportOptions): string {
  const v = verdictInfo(result.verdict.verdict);
  const timeline = renderTimeline(result);
  const body = html`${renderHeader(result, opts)}
${nav(result)}
<main>
${renderAffected(result)}
${renderFindings(result)}
${renderEsps(result)}
${renderLogins(result)}
${timeline.section}
${renderCoverage(result)}
${renderCollection(result)}
</main>
<footer class="foot"><p>espy ${result.espyVersion} · analysis schema ${result.schemaVersion} · report generated ${opts.generatedAt} (UTC). Files beside this report: ${SIBLING_FILES.map(
    (f, i) => html`${i > 0 ? ', ' : ''}<a href="${f}">${f}</a>`,
  )}. Everything in this report comes from a possibly compromised host: treat names and messages as untrusted.</p></footer>`;
  return renderPage(templates, {
    title: `espy: ${result.host.name}: ${v.label}`,
    generator: `espy ${result.espyVersion}`,
    bodyClass: `report v-${v.cls}`,
    body,
    data: timeline.data,
  });
}
