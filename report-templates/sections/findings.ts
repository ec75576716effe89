/** Findings grouped by severity, each with explanation, ATT&CK, evidence excerpts and next steps. */
import type { AnalysisResult, Finding } from '../../detection/analysis-result.js';
import { html, type SafeHtml } from '../html.js';
import { attackId, attackUrl, displayTime, knownSeverity, SEVERITY_ORDER, severityRank } from '../format.js';
import { cell, renderTable } from '../table.js';
import { rankFindings, renderExcerpt, renderWhere, severityBadge } from './affected.js';

/** Evidence excerpts in the findings are cut here after their decisive part. */
const FINDING_EXCERPT_MAX_CHARS = 200;
/**
 * Evidence lists this short start open; longer ones, and those of low and informational
 * findings, start folded (the key evidence is at the top of the report).
 */
const EVIDENCE_OPEN_MAX_ROWS = 3;

function evidenceOpen(f: Finding, rows: number): boolean {
  return rows <= EVIDENCE_OPEN_MAX_ROWS && severityRank(f.severity) < severityRank('low');
}

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

/**
 * Next steps said once: the steps that the same findings share form one group (the backdoor
 * ESP steps, the brute-force steps, ...), however the findings combine them.
 */
export interface StepGroup {
  id: string;
  steps: string[];
  findings: Finding[];
}

/** Partitions the distinct steps by the exact set of findings that give them, in first-seen order. */
export function groupNextSteps(findings: readonly Finding[]): StepGroup[] {
  const holders = new Map<string, Finding[]>();
  for (const f of findings) {
    for (const step of new Set(f.nextSteps)) {
      const list = holders.get(step);
      if (list) list.push(f);
      else holders.set(step, [f]);
    }
  }
  const byKey = new Map<string, StepGroup>();
  for (const [step, fs] of holders) {
    const key = fs.map((f) => f.id).join(' ');
    let g = byKey.get(key);
    if (!g) {
      g = { id: `steps-${byKey.size + 1}`, steps: [], findings: fs };
      byKey.set(key, g);
    }
    g.steps.push(step);
  }
  return [...byKey.values()];
}

function renderAttack(ids: readonly string[]): SafeHtml {
  if (ids.length === 0) return html`<span class="muted">none</span>`;
  return html`${ids.map((raw, i) => {
    const id = attackId(raw);
    const sep = i > 0 ? ', ' : '';
    return id ? html`${sep}<a class="attack" href="${attackUrl(id)}" rel="noopener noreferrer" target="_blank">${id}</a>` : html`${sep}<span class="attack">${raw}</span>`;
  })}`;
}

function renderFinding(f: Finding, steps: readonly StepGroup[]): SafeHtml {
  const shown = f.evidence.slice(0, EVIDENCE_ROWS_PER_FINDING);
  const rows = shown.map(
    (ref) =>
      html`<tr>${cell(displayTime(ref.timestamp), ref.timestamp ?? '', 'c-time')}${cell(renderExcerpt(ref, FINDING_EXCERPT_MAX_CHARS), undefined, 'excerpt')}${cell(renderWhere(ref, false))}</tr>`,
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
<details class="evidence"${evidenceOpen(f, shown.length) ? html` open` : ''}><summary>Evidence (${f.evidence.length} item${f.evidence.length === 1 ? '' : 's'})</summary>
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
${steps.length > 0 ? html`<p class="steps-link">Next steps: ${steps.map((g, i) => html`${i > 0 ? ' · ' : ''}<a href="#${g.id}">${stepsLabel(g)}</a>`)}</p>` : ''}
</article>`;
}

/** Findings about the evidence itself (its manifest, its sidecar): they say how far the rest can be trusted. */
function isIntegrity(f: Finding): boolean {
  return f.ruleId.startsWith('bundle.');
}

function stepsLabel(g: StepGroup): string {
  const first = g.findings[0];
  if (g.findings.length === 1) return `for ${first?.title ?? ''}`;
  return `shared by ${g.findings.length} findings (${first?.title ?? ''}, ...)`;
}

/** Each kind's next steps once, with links back to the findings that share them. */
function renderNextSteps(groups: readonly StepGroup[]): SafeHtml {
  if (groups.length === 0) return html``;
  return html`<div class="next-steps-all"><h3 id="next-steps">Next steps by kind of finding</h3>${groups.map(
    (
      g,
    ) => html`<div class="step-group" id="${g.id}"><h4>${g.findings.length === 1 ? 'Finding' : 'Findings'} ${g.findings.map((f, i) => html`${i > 0 ? ', ' : ''}<a href="#finding-${f.id}">${f.id}</a>`)} <span class="muted">(${g.findings[0]?.title ?? ''}${g.findings.length > 1 ? ', ...' : ''})</span></h4>
<ul class="next-steps">${g.steps.map((s) => html`<li>${withCode(s)}</li>`)}</ul></div>`,
  )}</div>`;
}

export function renderFindings(r: AnalysisResult): SafeHtml {
  const ranked = rankFindings(r.findings);
  const stepGroups = groupNextSteps(ranked);
  const groupsOf = new Map<Finding, StepGroup[]>();
  for (const g of stepGroups) for (const f of g.findings) groupsOf.set(f, [...(groupsOf.get(f) ?? []), g]);
  const counts = SEVERITY_ORDER.map((s) => ({ s, n: ranked.filter((f) => f.severity === s).length })).filter((x) => x.n > 0);
  const groups: SafeHtml[] = [];
  const integrity = ranked.filter(isIntegrity);
  if (integrity.length > 0)
    groups.push(html`<div class="sev-group"><h3 class="sev-heading">evidence integrity (${integrity.length})</h3>${integrity.map((f) => renderFinding(f, groupsOf.get(f) ?? []))}</div>`);
  for (let rank = 0; rank <= SEVERITY_ORDER.length; rank++) {
    const group = ranked.filter((f) => severityRank(f.severity) === rank && !isIntegrity(f));
    if (group.length === 0) continue;
    const name = SEVERITY_ORDER[rank] ?? 'other';
    groups.push(html`<div class="sev-group"><h3 class="sev-heading">${name} (${group.length})</h3>${group.map((f) => renderFinding(f, groupsOf.get(f) ?? []))}</div>`);
  }
  return html`<section id="findings">
<h2>Findings</h2>
${ranked.length === 0 ? html`<p class="empty">No findings.</p>` : html`<p class="counts">${counts.map(({ s, n }) => html`${severityBadge(s)} ${n} `)}</p>${groups}${renderNextSteps(stepGroups)}`}
</section>`;
}
