/**
 * "Is this host affected?": the answer first, then the three to five pieces of evidence that
 * carry it, each with where it came from, then what to do.
 */
import type { AnalysisResult, EvidenceRef, Finding } from '../../detection/analysis-result.js';
import { breakablePath, html, type SafeHtml } from '../html.js';
import { displayTime, knownSeverity, severityRank, stableSort, whereText } from '../format.js';
import { verdictInfo } from './header.js';

export const KEY_EVIDENCE_MAX = 5;
export const KEY_EVIDENCE_MIN = 3;
/** Key-evidence excerpts are cut here after their decisive part (the finding has the rest). */
export const KEY_EXCERPT_MAX_CHARS = 140;

/** `s` cut to `max` code points with an ellipsis (never splits a surrogate pair). */
export function shorten(s: string, max: number): string {
  const cps = [...s];
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

/**
 * An excerpt with its decisive part first and whole (the command line, the DLL path, the
 * login), then the rest of the excerpt cut to `max`. Without a decisive part the excerpt
 * (a SQL Server message, already bounded by the analysis) is the decisive text: whole.
 */
export function renderExcerpt(ref: EvidenceRef, max: number): SafeHtml {
  if (!ref.decisive) return html`<code class="context whole">${breakablePath(ref.excerpt)}</code>`;
  const rest = ref.excerpt === ref.decisive ? '' : ref.excerpt;
  return html`<code class="decisive">${breakablePath(ref.decisive)}</code>${rest ? html`<code class="context">${breakablePath(shorten(rest, max))}</code>` : ''}`;
}

/**
 * A key evidence's text: the decisive part alone (the rest of the excerpt is on hover and
 * in the finding), so five of them fit on the first screen; else the whole excerpt.
 */
function renderKeyExcerpt(ref: EvidenceRef): SafeHtml {
  if (!ref.decisive) return renderExcerpt(ref, KEY_EXCERPT_MAX_CHARS);
  return html`<code class="decisive" title="${shorten(ref.excerpt, 400)}">${breakablePath(ref.decisive)}</code>`;
}

export interface KeyEvidence {
  finding: Finding;
  ref: EvidenceRef;
}

/** Findings most severe first; ties by how many items matched, then by id (deterministic). */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return stableSort(findings, (a, b) => severityRank(a.severity) - severityRank(b.severity) || b.count - a.count);
}

/** Identity of an evidence item: two findings often cite the same record or line. */
function refKey(ref: EvidenceRef): string {
  return [ref.artefact, ref.recordId ?? '', ref.line ?? '', ref.offset ?? '', ref.recordId === undefined && ref.line === undefined ? ref.excerpt : ''].join('\u0000');
}

/**
 * Up to five evidence items: the first piece of each finding, most severe first, then more
 * pieces from the top findings until at least three are shown (when there are that many).
 * The same record/line is never shown twice (a finding whose first piece was already shown
 * contributes its next one). Informational findings never carry a verdict, so they are left out.
 */
export function selectKeyEvidence(findings: readonly Finding[]): KeyEvidence[] {
  const ranked = rankFindings(findings).filter((f) => severityRank(f.severity) < severityRank('informational'));
  const out: KeyEvidence[] = [];
  const seen = new Set<string>();
  const take = (f: Finding, from: number): number => {
    for (let i = from; i < f.evidence.length; i++) {
      const ref = f.evidence[i];
      if (!ref) continue;
      const key = refKey(ref);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ finding: f, ref });
      return i;
    }
    return -1;
  };
  const next = new Map<Finding, number>();
  for (const f of ranked) {
    if (out.length >= KEY_EVIDENCE_MAX) return out;
    next.set(f, take(f, 0) + 1);
  }
  let progress = true;
  while (out.length < KEY_EVIDENCE_MIN && progress) {
    progress = false;
    for (const f of ranked) {
      const from = next.get(f) ?? 0;
      if (from <= 0) continue;
      const at = take(f, from);
      next.set(f, at + 1);
      if (at >= 0) progress = true;
      if (out.length >= KEY_EVIDENCE_MIN) break;
    }
  }
  return out;
}

/** `<span class="sev sev-high">high</span>`; unknown levels render as text without a colour class. */
export function severityBadge(s: string | undefined): SafeHtml {
  const known = knownSeverity(s);
  return html`<span class="sev sev-${known ?? 'none'}">${s ?? '—'}</span>`;
}

/** Where an evidence item is; with its time unless a table already has a time column. */
export function renderWhere(ref: EvidenceRef, withTime = true): SafeHtml {
  return html`<span class="where"><span class="where-file" title="${ref.storedPath ?? ref.artefact}">${breakablePath(whereText(ref))}</span>${
    withTime && ref.timestamp ? html` <span class="muted">at ${displayTime(ref.timestamp)}</span>` : ''
  }</span>`;
}

/** Remediation from DCSO's "Tracking down Maggie", with the suspect ESPs filled in. */
export function remediationSteps(r: AnalysisResult): SafeHtml[] {
  const suspect = r.esps.filter((e) => e.suspicion === 'malicious' || e.suspicion === 'suspicious');
  const procs = [...new Set(suspect.flatMap((e) => e.procedures))].sort();
  const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  const drop =
    procs.length > 0
      ? html`Remove the backdoor ESP${procs.length > 1 ? 's' : ''} after preserving evidence: ${procs.map(
          (p, i) => html`${i > 0 ? ', ' : ''}<code>EXEC sp_dropextendedproc ${sqlLiteral(p)}</code>`,
        )}, then delete or quarantine the DLL${suspect.length > 1 ? 's' : ''} (${suspect.map(
          (e, i) => html`${i > 0 ? ', ' : ''}<code>${e.dllPath ?? e.dll}</code>`,
        )}) and restart the SQL Server service to unload it.`
      : html`Remove any ESP that is not in your baseline with <code>EXEC sp_dropextendedproc 'name'</code> (list them with <code>EXEC sp_helpextendedproc</code>), then delete its DLL.`;
  return [
    html`Isolate the host or block its SQL Server port before cleaning, and keep the evidence bundle unchanged.`,
    drop,
    html`Check for backdoor logins: review <code>sys.server_principals</code> ordered by <code>create_date</code> and the sysadmin role members; disable and investigate any login you cannot account for (see "Logins").`,
    html`Keep TCP 1433 (and any SQL Server port) off the internet: only the application tier should reach it.`,
    html`Enforce strong SQL Server passwords and a password policy; change the passwords of <code>sa</code> and of every SQL login that could have been brute-forced.`,
  ];
}

/** For a SUSPICIOUS verdict: confirm or rule out before remediating. */
export function checkSteps(): SafeHtml[] {
  return [
    html`Review the key evidence and the findings below; if a backdoor ESP, an unknown sysadmin login or commands run by <code>sqlservr.exe</code> are confirmed, treat the host as compromised.`,
    html`Compare the registered ESPs (<code>EXEC sp_helpextendedproc</code>) with your baseline; an ESP DLL outside the instance's <code>Binn</code> folder is suspect.`,
    html`Check for backdoor logins: review <code>sys.server_principals</code> ordered by <code>create_date</code> and the sysadmin role members.`,
    html`Keep TCP 1433 (and any SQL Server port) off the internet, and enforce strong SQL Server passwords.`,
  ];
}

export function renderAffected(r: AnalysisResult): SafeHtml {
  const v = verdictInfo(r.verdict.verdict);
  const key = selectKeyEvidence(r.findings);
  const items = key.map(
    ({ finding, ref }) => html`<li class="key-item">${severityBadge(finding.severity)} <a href="#finding-${finding.id}">${finding.title}</a>
<div class="excerpt">${renderKeyExcerpt(ref)}</div>
<div class="from">from ${renderWhere(ref)}</div></li>`,
  );
  const reasons = r.verdict.reasons.map((s) => html`<li>${s}</li>`);
  const verdict = r.verdict.verdict;
  return html`<section id="affected" class="affected v-${v.cls}">
<h2>Is this host affected?</h2>
<p class="answer"><strong>${v.answer}</strong></p>
${reasons.length > 0 ? html`<ul class="reasons">${reasons}</ul>` : ''}
${items.length > 0 ? html`<h3>Key evidence</h3><ol class="key-evidence">${items}</ol>` : html`<p class="muted">No finding carries evidence.</p>`}
${
  verdict === 'COMPROMISED'
    ? html`<h3>What to do now</h3><ol class="steps">${remediationSteps(r).map((s) => html`<li>${s}</li>`)}</ol>`
    : verdict === 'SUSPICIOUS'
      ? html`<h3>What to check next</h3><ol class="steps">${checkSteps().map((s) => html`<li>${s}</li>`)}</ol>`
      : ''
}
</section>`;
}
