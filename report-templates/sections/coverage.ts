/** Coverage and gaps ("what was NOT checked"), the collection log and manifest summary. */
import type { AnalysisResult, CoverageEntry } from '../../detection/analysis-result.js';
import { breakablePath, html, type SafeHtml } from '../html.js';
import { compareStrings, displayTime, formatBytes, formatDuration, stableSort } from '../format.js';
import { cell, renderTable, yesNo } from '../table.js';

/** Collection-log lines shown in the report; the full log is in the bundle. */
export const COLLECTION_LOG_MAX_LINES = 2000;
/** Unreadable artefacts listed in "What was NOT checked" / in the error table; the rest are counted. */
export const GAP_ERRORS_MAX = 50;
export const ERROR_ROWS_MAX = 1000;

/** Artefacts listed before the rest fold away (a DLL sweep can collect hundreds). */
const ARTEFACTS_SHOWN = 3;

function artefactList(paths: readonly string[]): SafeHtml {
  const line = (a: string): SafeHtml => html`<div><code class="small">${breakablePath(a)}</code></div>`;
  if (paths.length <= ARTEFACTS_SHOWN) return html`${paths.map(line)}`;
  return html`${paths.slice(0, ARTEFACTS_SHOWN - 1).map(line)}<details class="procs"><summary>+${paths.length - ARTEFACTS_SHOWN + 1} more</summary>${paths
    .slice(ARTEFACTS_SHOWN - 1)
    .map(line)}</details>`;
}

function coverageRow(c: CoverageEntry): SafeHtml {
  return html`<tr${c.present ? '' : html` class="flag"`}>${cell(c.source)}${cell(yesNo(c.present, true))}${cell(
    artefactList(c.artefacts),
    c.artefacts.length,
  )}${cell(displayTime(c.firstEvent), c.firstEvent ?? '')}${cell(displayTime(c.lastEvent), c.lastEvent ?? '')}${cell(c.records, c.records)}${cell(
    html`<span class="${c.failed > 0 ? 'bad' : 'neutral'}">${c.failed}</span>`,
    c.failed,
  )}${cell(c.recovered, c.recovered)}${cell(html`${c.counts ? html`<div class="muted">${c.counts}</div>` : ''}${c.notes.map((n) => html`<div>${n}</div>`)}`)}</tr>`;
}

/** The "not checked" list: absent sources, notes on present ones, unreadable artefacts, rejected rules. */
export function gapLines(r: AnalysisResult): SafeHtml[] {
  const out: SafeHtml[] = [];
  for (const c of r.coverage) {
    if (!c.present) out.push(html`<strong>${c.source}</strong>: not present in the evidence${c.notes.length > 0 ? html` (${c.notes.join('; ')})` : ''}.`);
    else if (c.failed > 0) out.push(html`<strong>${c.source}</strong>: ${c.failed} record${c.failed === 1 ? '' : 's'} could not be parsed${c.recovered > 0 ? html` (${c.recovered} recovered)` : ''}.`);
    if (c.present) for (const n of c.notes) out.push(html`<strong>${c.source}</strong>: ${n}`);
  }
  for (const e of r.errors.slice(0, GAP_ERRORS_MAX)) out.push(html`<strong>Unreadable</strong>: <code>${e.artefact}</code>: ${e.message}`);
  if (r.errors.length > GAP_ERRORS_MAX) out.push(html`<strong>Unreadable</strong>: ${r.errors.length - GAP_ERRORS_MAX} more artefacts (see "Collection log and manifest").`);
  const rej = r.ruleLoad.sigmaRejected.length + r.ruleLoad.yaraErrors.length;
  if (rej > 0) out.push(html`<strong>Rules</strong>: ${rej} rule file${rej === 1 ? ' was' : 's were'} rejected and did not run (see below).`);
  if (r.collection?.manifest.incomplete) out.push(html`<strong>Collection</strong>: the bundle manifest says the collection is incomplete.`);
  return out;
}

function ruleLoad(r: AnalysisResult): SafeHtml {
  const rl = r.ruleLoad;
  const rows = [...rl.sigmaRejected.map((e) => ({ kind: 'Sigma', ...e })), ...rl.yaraErrors.map((e) => ({ kind: 'YARA', ...e }))].map(
    (e) => html`<tr>${cell(e.kind)}${cell(html`<code>${e.path}</code>${e.line !== undefined ? `:${e.line}` : ''}`, e.path)}${cell(e.reason)}</tr>`,
  );
  return html`<h3>Rules</h3>
<p>${rl.sigmaLoaded} Sigma rule${rl.sigmaLoaded === 1 ? '' : 's'} and ${rl.yaraRules} YARA rule${rl.yaraRules === 1 ? '' : 's'} ran; ${rl.sigmaRejected.length} Sigma and ${rl.yaraErrors.length} YARA rule file${rl.yaraErrors.length === 1 ? '' : 's'} rejected.</p>
${rows.length > 0 ? renderTable({ id: 'rule-errors', columns: [{ label: 'Kind' }, { label: 'File' }, { label: 'Reason' }], rows, empty: '' }) : ''}`;
}

export function renderCoverage(r: AnalysisResult): SafeHtml {
  const cov = stableSort(r.coverage, (a, b) => Number(a.present) - Number(b.present) || compareStrings(a.source, b.source));
  const gaps = gapLines(r);
  return html`<section id="coverage">
<h2>Coverage and gaps</h2>
<h3>What was NOT checked</h3>
${gaps.length > 0 ? html`<ul class="gaps">${gaps.map((g) => html`<li>${g}</li>`)}</ul>` : html`<p>Every expected source was present and fully parsed.</p>`}
${renderTable({
  id: 'coverage-table',
  columns: [
    { label: 'Source' },
    { label: 'Present' },
    { label: 'Artefacts', type: 'num' },
    { label: 'First event (UTC)' },
    { label: 'Last event (UTC)' },
    { label: 'Records', type: 'num' },
    { label: 'Failed', type: 'num' },
    { label: 'Recovered', type: 'num' },
    { label: 'Notes' },
  ],
  rows: cov.map(coverageRow),
  empty: 'The analysis recorded no coverage information.',
})}
${ruleLoad(r)}
</section>`;
}

export function renderCollection(r: AnalysisResult): SafeHtml {
  const c = r.collection;
  const timings = Object.entries(r.timings).sort((a, b) => compareStrings(a[0], b[0]));
  const logLines = c ? c.log.slice(0, COLLECTION_LOG_MAX_LINES) : [];
  return html`<section id="collection">
<h2>Collection log and manifest</h2>
${
  c
    ? html`<dl class="facts compact">
<div class="fact"><dt>Files in manifest</dt><dd>${c.manifest.files}</dd></div>
<div class="fact"><dt>Bytes</dt><dd>${formatBytes(c.manifest.bytes)}</dd></div>
<div class="fact"><dt>Files with errors</dt><dd class="${c.manifest.errors > 0 ? 'bad' : ''}">${c.manifest.errors}</dd></div>
<div class="fact"><dt>Complete</dt><dd>${yesNo(!c.manifest.incomplete, true)}</dd></div>
</dl>
<details class="log"${c.log.length <= 40 ? html` open` : ''}><summary>Collection log (${c.log.length} line${c.log.length === 1 ? '' : 's'})</summary><pre>${logLines.join('\n')}</pre>${
        c.log.length > logLines.length ? html`<p class="muted">${c.log.length - logLines.length} more lines in the bundle's collection.log.</p>` : ''
      }</details>`
    : html`<p class="muted">Not a bundle: no collection log or manifest (source: ${r.source.kind}).</p>`
}
${
  r.errors.length > 0
    ? html`<h3>Artefacts that could not be read (${r.errors.length})</h3>${renderTable({
        id: 'error-table',
        columns: [{ label: 'Artefact' }, { label: 'Error' }],
        rows: r.errors.slice(0, ERROR_ROWS_MAX).map((e) => html`<tr>${cell(html`<code>${e.artefact}</code>`, e.artefact)}${cell(e.message)}</tr>`),
        empty: '',
      })}${r.errors.length > ERROR_ROWS_MAX ? html`<p class="muted">${r.errors.length - ERROR_ROWS_MAX} more in analysis.json.</p>` : ''}`
    : ''
}
${timings.length > 0 ? html`<h3>Timings</h3><dl class="facts compact">${timings.map(([k, v]) => html`<div class="fact"><dt>${k}</dt><dd>${formatDuration(v)}</dd></div>`)}</dl>` : ''}
</section>`;
}
