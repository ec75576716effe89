/** Findings grouped by severity, each with explanation, ATT&CK, evidence excerpts and next steps. */
import type { AnalysisResult, Finding } from '../../detection/analysis-result.js';
import { html, type SafeHtml } from '../html.js';
import { attackId, attackUrl, displayTime, knownSeverity, SEVERITY_ORDER, severityRank } from '../format.js';
import { cell, renderTable } from '../table.js';
import { rankFindings, renderWhere, severityBadge } from './affected.js';

/** Evidence rows shown per finding; the rest are counted (all are in findings.csv / analysis.json). */
export const EVIDENCE_ROWS_PER_FINDING = 25;

/**
 * Text whose `backtick spans` (as the analysis writes commands in next steps) become
 * `<code>`; every part is escaped. Unbalanced backticks leave the text as it is.
 */
export function withCode(text: string): SafeHtml {
  const parts = text.split('`');
  if (parts.length < 3 || parts.length % 2 === 0) return html`${text}`;
  return html`${parts.map((p, i) => (i % 2 === 1 ? html`<code>${p}</code>` : p))}`;
}

function renderAttack(ids: readonly string[]): SafeHtml {
  if (ids.length === 0) return html`<span class="muted">none</span>`;
  return html`${ids.map((raw, i) => {
    const id = attackId(raw);
    const sep = i > 0 ? ', ' : '';
    return id
      ? html`${sep}<a class="attack" href="${attackUrl(id)}" rel="noopener noreferrer" target="_blank">${id}</a>`
      : html`${sep}<span class="attack">${raw}</span>`;
  })}`;
}

function renderFinding(f: Finding): SafeHtml {
  const shown = f.evidence.slice(0, EVIDENCE_ROWS_PER_FINDING);
  const rows = shown.map(
    (ref) => html`<tr>${cell(displayTime(ref.timestamp), ref.timestamp ?? '', 'c-time')}${cell(html`<code>${ref.excerpt}</code>`, undefined, 'excerpt')}${cell(renderWhere(ref))}</tr>`,
  );
  const more = f.evidence.length > shown.length ? f.evidence.length - shown.length : 0;
  const unlisted = f.count > f.evidence.length ? f.count - f.evidence.length : 0;
  return html`<article class="finding sev-${knownSeverity(f.severity) ?? 'none'}" id="finding-${f.id}">
<h3>${severityBadge(f.severity)} ${f.title}</h3>
<dl class="finding-meta">
<div><dt>Finding</dt><dd>${f.id}</dd></div>
<div><dt>Rule</dt><dd><code>${f.ruleId}</code> <span class="muted">(${f.source})</span></dd></div>
<div><dt>Matches</dt><dd>${f.count}</dd></div>
${f.firstSeen ? html`<div><dt>First seen</dt><dd>${displayTime(f.firstSeen)}</dd></div>` : ''}
${f.lastSeen ? html`<div><dt>Last seen</dt><dd>${displayTime(f.lastSeen)}</dd></div>` : ''}
<div><dt>ATT&amp;CK</dt><dd>${renderAttack(f.attack)}</dd></div>
</dl>
<p class="explanation">${withCode(f.explanation)}</p>
<details class="evidence"${shown.length <= 10 ? html` open` : ''}><summary>Evidence (${f.evidence.length} item${f.evidence.length === 1 ? '' : 's'})</summary>
${renderTable({
  id: `ev-${f.id}`,
  columns: [{ label: 'Time (UTC)', className: 'c-time' }, { label: 'Excerpt' }, { label: 'Where' }],
  rows,
  empty: 'No evidence item recorded.',
  filter: rows.length > 10,
})}
${more > 0 ? html`<p class="muted">${more} more evidence item${more === 1 ? '' : 's'} in findings.csv and analysis.json.</p>` : ''}
${unlisted > 0 ? html`<p class="muted">${unlisted} further match${unlisted === 1 ? '' : 'es'} counted but not listed.</p>` : ''}
</details>
${f.nextSteps.length > 0 ? html`<h4>Next steps</h4><ul class="next-steps">${f.nextSteps.map((s) => html`<li>${withCode(s)}</li>`)}</ul>` : ''}
</article>`;
}

/** Findings about the evidence itself (its manifest, its sidecar): they say how far the rest can be trusted. */
function isIntegrity(f: Finding): boolean {
  return f.ruleId.startsWith('bundle.');
}

export function renderFindings(r: AnalysisResult): SafeHtml {
  const ranked = rankFindings(r.findings);
  const counts = SEVERITY_ORDER.map((s) => ({ s, n: ranked.filter((f) => f.severity === s).length })).filter((x) => x.n > 0);
  const groups: SafeHtml[] = [];
  const integrity = ranked.filter(isIntegrity);
  if (integrity.length > 0) groups.push(html`<div class="sev-group"><h3 class="sev-heading">evidence integrity (${integrity.length})</h3>${integrity.map(renderFinding)}</div>`);
  for (let rank = 0; rank <= SEVERITY_ORDER.length; rank++) {
    const group = ranked.filter((f) => severityRank(f.severity) === rank && !isIntegrity(f));
    if (group.length === 0) continue;
    const name = SEVERITY_ORDER[rank] ?? 'other';
    groups.push(html`<div class="sev-group"><h3 class="sev-heading">${name} (${group.length})</h3>${group.map(renderFinding)}</div>`);
  }
  return html`<section id="findings">
<h2>Findings</h2>
${
  ranked.length === 0
    ? html`<p class="empty">No findings.</p>`
    : html`<p class="counts">${counts.map(({ s, n }) => html`${severityBadge(s)} ${n} `)}</p>${groups}`
}
</section>`;
}
