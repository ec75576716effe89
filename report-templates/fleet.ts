/**
 * `fleet.html`: one row per host (verdict, key indicators, link to its report), compromised
 * hosts first. Same skeleton, style sheet, script and CSP as the host report.
 */
import type { AnalysisResult } from '../detection/analysis-result.js';
import { html, safeUrl, type SafeHtml } from './html.js';
import { compareStrings, displayTime, SEVERITY_ORDER, severityRank, stableSort } from './format.js';
import { renderPage } from './render-report.js';
import { rankFindings, severityBadge } from './sections/affected.js';
import { verdictInfo } from './sections/header.js';
import { cell, renderTable } from './table.js';
import type { ReportTemplates } from './templates.js';

export interface FleetEntry {
  result: AnalysisResult;
  /** Link to the host's report, relative to fleet.html (only http(s)/relative URLs are linked). */
  reportHref: string;
}

const VERDICT_RANK: Record<string, number> = { COMPROMISED: 0, SUSPICIOUS: 1, NO_INDICATORS: 2 };

/** Up to `max` short indicators: top findings, suspect ESPs, logins created during the incident. */
export function keyIndicators(r: AnalysisResult, max = 4): SafeHtml[] {
  const out: SafeHtml[] = [];
  for (const e of r.esps) {
    if (e.suspicion === 'malicious' || e.suspicion === 'suspicious') {
      out.push(html`ESP <code>${e.procedures.join(', ')}</code> in <code>${e.dllPath ?? e.dll}</code> (${e.suspicion})`);
    }
  }
  for (const l of r.logins) {
    if (l.createdDuringIncident) out.push(html`login <code>${l.name}</code> created during the incident${l.isSysadmin ? ' (sysadmin)' : ''}`);
  }
  for (const f of rankFindings(r.findings)) {
    if (f.severity === 'informational') continue;
    out.push(html`${severityBadge(f.severity)} ${f.title}`);
  }
  return out.slice(0, max);
}

/** Findings per severity, most severe first, only the severities present: "2 critical, 1 low". */
export function severityCounts(r: AnalysisResult): SafeHtml {
  const counts = SEVERITY_ORDER.map((s) => ({ s, n: r.findings.filter((f) => f.severity === s).length })).filter((x) => x.n > 0);
  if (counts.length === 0) return html`<span class="muted">none</span>`;
  return html`${counts.map(({ s, n }) => html`<div class="sev-count">${n} ${severityBadge(s)}</div>`)}`;
}

/**
 * For a host without indicators that still has findings: says that they are all low or
 * informational (checks and inventory notes, not signs of an attacker), so "NO INDICATORS"
 * beside "findings: 4" does not read as a contradiction.
 */
function lowOnlyNote(r: AnalysisResult): SafeHtml | undefined {
  if (r.verdict.verdict !== 'NO_INDICATORS' || r.findings.length === 0) return undefined;
  if (r.findings.some((f) => severityRank(f.severity) < severityRank('low'))) return undefined;
  const n = r.findings.length;
  return html`<div class="muted">only low and informational finding${n === 1 ? '' : 's'} (${n}): worth a look, none is an indicator of compromise</div>`;
}

function hostRow(e: FleetEntry): SafeHtml {
  const r = e.result;
  const v = verdictInfo(r.verdict.verdict);
  const href = safeUrl(e.reportHref);
  const worstRank = r.findings.reduce((m, f) => Math.min(m, severityRank(f.severity)), SEVERITY_ORDER.length);
  const link = href === '#' ? html`<span class="muted" title="unsafe link not shown">${e.reportHref}</span>` : html`<a href="${href}">report</a>`;
  return html`<tr>${cell(html`<strong>${r.host.name}</strong>`, r.host.name, 'host')}${cell(v.label, VERDICT_RANK[r.verdict.verdict] ?? 3, `v-${v.cls}`)}${cell(
    html`${lowOnlyNote(r) ?? ''}${keyIndicators(r).map((k) => html`<div>${k}</div>`)}`,
  )}${cell(severityCounts(r), worstRank)}${cell(r.findings.length, r.findings.length)}${cell(displayTime(r.source.collectedAt), r.source.collectedAt ?? '')}${cell(
    r.source.bundleName ? html`<code class="small">${r.source.bundleName}</code>` : '',
  )}${cell(link)}</tr>`;
}

export function renderFleet(entries: readonly FleetEntry[], templates: ReportTemplates, opts: { generatedAt: string; espyVersion: string }): string {
  const sorted = stableSort(entries, (a, b) => (VERDICT_RANK[a.result.verdict.verdict] ?? 3) - (VERDICT_RANK[b.result.verdict.verdict] ?? 3) || compareStrings(a.result.host.name, b.result.host.name));
  const tally = ['COMPROMISED', 'SUSPICIOUS', 'NO_INDICATORS'].map((k) => ({ k, n: entries.filter((e) => e.result.verdict.verdict === k).length }));
  const worst = sorted[0] ? verdictInfo(sorted[0].result.verdict.verdict) : verdictInfo('NO_INDICATORS');
  const body = html`<header class="banner v-${worst.cls}" id="top">
<div class="verdict-line"><span class="verdict" id="verdict">${entries.length} host${entries.length === 1 ? '' : 's'}</span><span class="host-name">espy fleet triage</span></div>
<p class="fleet-summary">${tally.map(({ k, n }) => html`<span><strong>${n}</strong> ${verdictInfo(k).label.toLowerCase()}</span>`)}</p>
</header>
<main>
<section id="hosts" class="fleet">
<h2>Hosts</h2>
${renderTable({
  id: 'fleet-table',
  columns: [
    { label: 'Host' },
    { label: 'Verdict', type: 'num' },
    { label: 'Key indicators' },
    { label: 'Findings by severity', type: 'num' },
    { label: 'Findings', type: 'num' },
    { label: 'Collected (UTC)' },
    { label: 'Bundle' },
    { label: 'Report' },
  ],
  rows: sorted.map(hostRow),
  empty: 'No hosts.',
})}
</section>
</main>
<footer class="foot"><p>espy ${opts.espyVersion} · generated ${opts.generatedAt} (UTC). Everything here comes from possibly compromised hosts: treat names and messages as untrusted.</p></footer>`;
  return renderPage(templates, {
    title: `espy fleet: ${entries.length} hosts, ${tally[0]?.n ?? 0} compromised`,
    generator: `espy ${opts.espyVersion}`,
    bodyClass: `fleet-page v-${worst.cls}`,
    body,
    data: html``,
  });
}
