/**
 * `summary.md`: a short Markdown summary to paste into a ticket: verdict, top findings, ESP
 * hashes, bundle name and hash. Evidence text is attacker-controlled: every ASCII punctuation
 * character is backslash-escaped (CommonMark §2.4: no HTML, links, emphasis or tables can
 * form), hidden and bidi characters are shown as `\uXXXX`, and line breaks become spaces.
 */
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { revealHidden } from '../html.js';
import { displayTime, whereText } from '../format.js';
import { rankFindings } from '../sections/affected.js';
import { verdictInfo } from '../sections/header.js';

/** Findings listed in the summary (the rest are counted). */
export const SUMMARY_TOP_FINDINGS = 10;
/** ESPs and logins listed in the summary (a ticket note, not an inventory: the rest are counted). */
export const SUMMARY_MAX_ROWS = 50;

/**
 * Escapes text for Markdown (inline and table cells; CommonMark + GFM). Backslash-escapes the
 * characters that can start markup anywhere: `\\` `` ` `` `*` `_` `[` `]` `<` `>` `|` `~` `&`
 * (no HTML, link, image, emphasis, code span, table cell or entity can form; `(`/`!` are inert
 * once `[`/`]` are escaped), and the first character when it could open a block inside a list
 * item (`#`, `>`, `-`, `+`, `=`, `1.`). Hidden and bidi characters become `\uXXXX`; line breaks
 * become spaces.
 */
export function mdText(s: string): string {
  const flat = revealHidden(s.replace(/\r\n|\r|\n/g, ' ')).replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
  return flat.replace(/^(\s*)([#>+=-]|\d+(?=[.)]))/, (_m, sp: string, lead: string) => (/^\d/.test(lead) ? `${sp}${lead}\\` : `${sp}\\${lead}`));
}

/** A hex digest or other token known to be `[0-9A-Za-z]` only, in a code span; anything else escaped text. */
function mdHash(s: string | undefined): string {
  if (!s) return '';
  return /^[0-9A-Za-z]+$/.test(s) ? `\`${s}\`` : mdText(s);
}

export function renderSummaryMd(r: AnalysisResult, opts: { generatedAt: string; bundle?: { name: string; sha256: string } }): string {
  const v = verdictInfo(r.verdict.verdict);
  const bundleName = opts.bundle?.name ?? r.source.bundleName;
  const bundleSha = opts.bundle?.sha256 ?? r.source.bundleSha256;
  const out: string[] = [];
  out.push(`# espy triage: ${mdText(r.host.name)}: **${mdText(v.label)}**`, '');
  out.push(mdText(v.answer), '');
  for (const reason of r.verdict.reasons) out.push(`- ${mdText(reason)}`);
  if (r.verdict.reasons.length > 0) out.push('');
  out.push(`- Host: ${mdText(r.host.name)}${r.host.domain ? ` \\(${mdText(r.host.domain)}\\)` : ''}`);
  if (r.host.sqlInstances.length > 0) out.push(`- SQL Server instances: ${r.host.sqlInstances.map((i) => mdText(i.name)).join(', ')}`);
  if (r.source.collectedAt) out.push(`- Collected: ${mdText(displayTime(r.source.collectedAt))}`);
  if (bundleName) out.push(`- Bundle: ${mdText(bundleName)}`);
  if (bundleSha) out.push(`- Bundle SHA\\-256: ${mdHash(bundleSha)}`);
  out.push(`- espy ${mdText(r.espyVersion)}, report generated ${mdText(displayTime(opts.generatedAt))}`);
  if (r.incidentWindow) out.push(`- Incident window: ${mdText(displayTime(r.incidentWindow.start))} to ${mdText(displayTime(r.incidentWindow.end))}`);
  out.push('');
  const ranked = rankFindings(r.findings);
  out.push(`## Top findings (${ranked.length})`, '');
  if (ranked.length === 0) out.push('No findings.');
  for (const f of ranked.slice(0, SUMMARY_TOP_FINDINGS)) {
    const ref = f.evidence[0];
    out.push(
      `- **${mdText(f.severity.toUpperCase())}** ${mdText(f.title)} \\(${mdText(f.id)}, ${f.count} match${f.count === 1 ? '' : 'es'}${f.attack.length > 0 ? `, ${f.attack.map(mdText).join(' ')}` : ''}\\)`,
    );
    if (ref) out.push(`  - ${mdText(ref.decisive ?? ref.excerpt)}: ${mdText(whereText(ref))}${ref.timestamp ? ` at ${mdText(displayTime(ref.timestamp))}` : ''}`);
  }
  if (ranked.length > SUMMARY_TOP_FINDINGS) out.push(`- … ${ranked.length - SUMMARY_TOP_FINDINGS} more in report.html and findings.csv`);
  out.push('');
  const esps = r.esps.filter((e) => e.suspicion !== 'benign');
  out.push(`## Extended stored procedures needing attention (${esps.length} of ${r.esps.length})`, '');
  if (esps.length === 0) out.push('None: every ESP seen is assessed benign.');
  else {
    out.push('| Assessment | Procedure | DLL | SHA\\-256 | MD5 |', '|---|---|---|---|---|');
    for (const e of esps.slice(0, SUMMARY_MAX_ROWS)) {
      out.push(`| ${mdText(e.suspicion)} | ${e.procedures.map(mdText).join(', ')} | ${mdText(e.dllPath ?? e.dll)} | ${mdHash(e.file?.sha256) || 'not found'} | ${mdHash(e.file?.md5)} |`);
    }
  }
  if (esps.length > SUMMARY_MAX_ROWS) out.push('', `… ${esps.length - SUMMARY_MAX_ROWS} more in report.html and analysis.json`);
  const flagged = r.logins.filter((l) => l.createdDuringIncident);
  if (flagged.length > 0) {
    out.push('', `## Logins created during the incident (${flagged.length})`, '');
    for (const l of flagged.slice(0, SUMMARY_MAX_ROWS))
      out.push(`- ${mdText(l.name)} \\(${mdText(l.type)}${l.isSysadmin ? ', sysadmin' : ''}${l.createDate ? `, created ${mdText(displayTime(l.createDate))}` : ''}\\)`);
    if (flagged.length > SUMMARY_MAX_ROWS) out.push(`- … ${flagged.length - SUMMARY_MAX_ROWS} more in report.html and analysis.json`);
  }
  const missing = r.coverage.filter((c) => !c.present);
  if (missing.length > 0 || r.errors.length > 0) {
    out.push('', '## Not checked', '');
    for (const c of missing) out.push(`- ${mdText(c.source)}: not in the evidence`);
    if (r.errors.length > 0) out.push(`- ${r.errors.length} artefact${r.errors.length === 1 ? '' : 's'} could not be read \\(see report.html\\)`);
  }
  out.push('');
  return out.join('\n');
}
