/** ESP inventory and SQL Server logins. */
import type { AnalysisResult, EspEntry, EspUse, Login } from '../../detection/analysis-result.js';
import { breakablePath, html, type SafeHtml } from '../html.js';
import { compareStrings, displayTime, stableSort } from '../format.js';
import { cell, renderTable, yesNo } from '../table.js';

const SUSPICION_RANK: Record<string, number> = { malicious: 0, suspicious: 1, unknown: 2, benign: 3 };
const LOCATION_TEXT: Record<string, string> = {
  binn: 'Binn',
  'sql-server': 'SQL Server folder (not Binn)',
  outside: 'outside SQL Server',
  unknown: 'unknown',
};

function suspicionBadge(s: string): SafeHtml {
  const cls = s in SUSPICION_RANK ? s : 'unknown';
  return html`<span class="susp susp-${cls}">${s}</span>`;
}

function use(u: EspUse): SafeHtml {
  if (u.count === 0) return html`<span class="muted">none seen</span>`;
  return html`${u.count}×${u.first ? html`<br><span class="small">first ${displayTime(u.first)}</span>` : ''}${
    u.last ? html`<br><span class="small">last ${displayTime(u.last)}</span>` : ''
  }${u.sources.length > 0 ? html`<details class="procs small"><summary>where</summary><span class="muted">${u.sources.join('; ')}</span></details>` : ''}`;
}

function hashes(e: EspEntry): SafeHtml {
  const f = e.file;
  if (!f || !f.present) return html`<span class="muted">DLL not found</span>`;
  const line = ([k, v]: [string, string]): SafeHtml => html`<div class="hashline"><span class="muted">${k}</span> <code class="hash">${v}</code></div>`;
  const main: [string, string][] = f.sha256 ? [['SHA-256', f.sha256]] : [];
  const more = (
    [
      ['SHA-1', f.sha1],
      ['MD5', f.md5],
    ] as [string, string | undefined][]
  ).filter((x): x is [string, string] => Boolean(x[1]));
  return html`${main.map(line)}${more.length > 0 ? html`<details class="more-hashes"><summary>${more.map(([k]) => k).join(', ')}</summary>${more.map(line)}</details>` : ''}`;
}

/** The Authenticode verdict in words; a signer name alone is marked as not verified. */
function signed(e: EspEntry): SafeHtml {
  const f = e.file;
  const s = f?.signature;
  if (f?.present && s) {
    const cls = s.microsoftSigned ? 'good' : s.status === 'unsigned' ? 'muted' : 'bad';
    return html`<span class="${cls}">${s.description}</span>${s.signingTime ? html`<br><span class="small">signed ${displayTime(s.signingTime)}</span>` : ''}`;
  }
  if (!f || !f.present || f.signed === undefined) return html`<span class="muted">unknown</span>`;
  return html`${yesNo(f.signed, true)}${f.signer ? html`<br><span class="small">${f.signer} (not verified)</span>` : ''}`;
}

function yara(e: EspEntry): SafeHtml {
  const hits = e.file?.yara ?? [];
  if (hits.length === 0) return html`<span class="muted">none</span>`;
  return html`${hits.map((h) => html`<div class="yara"><code title="${h.source}">${h.rule.split(/(?<=_)/).map((part, i) => html`${i > 0 ? html`<wbr>` : ''}${part}`)}</code></div>`)}`;
}

/** Procedures shown before the rest fold away (Microsoft's xplog70.dll registers over a dozen). */
const PROCEDURES_SHOWN = 4;

function procedures(names: readonly string[]): SafeHtml {
  const list = (xs: readonly string[]): SafeHtml => html`${xs.map((p, i) => html`${i > 0 ? ', ' : ''}<code>${p}</code>`)}`;
  if (names.length <= PROCEDURES_SHOWN) return list(names);
  const shown = names.slice(0, PROCEDURES_SHOWN - 1);
  const rest = names.slice(PROCEDURES_SHOWN - 1);
  return html`${list(shown)}<details class="procs"><summary>+${rest.length} more</summary>${list(rest)}</details>`;
}

/** The reasons as a compact list; beyond the first, folded so the row stays short. */
function why(reasons: readonly string[]): SafeHtml {
  const [first, ...rest] = reasons;
  if (first === undefined) return html`<span class="muted">none</span>`;
  if (rest.length === 0) return html`${first}`;
  return html`<details class="why"><summary>${first} <span class="muted">(+${rest.length})</span></summary><ul>${rest.map((s) => html`<li>${s}</li>`)}</ul></details>`;
}

function espRow(e: EspEntry): SafeHtml {
  const binn = e.location === 'binn';
  return html`<tr class="susp-row-${e.suspicion in SUSPICION_RANK ? e.suspicion : 'unknown'}">${cell(
    suspicionBadge(e.suspicion),
    SUSPICION_RANK[e.suspicion] ?? 2,
  )}${cell(procedures(e.procedures), e.procedures.join(' '))}${cell(
    html`<code>${breakablePath(e.dll)}</code>${e.dllPath && e.dllPath !== e.dll ? html`<br><code class="small">${breakablePath(e.dllPath)}</code>` : ''}`,
    e.dllPath ?? e.dll,
  )}${cell(html`<span class="${binn ? 'good' : e.location === 'unknown' ? 'muted' : 'bad'}">${LOCATION_TEXT[e.location] ?? e.location}</span>`)}${cell(
    html`${yesNo(e.registered)}${e.registeredAt ? html`<br><span class="small">${displayTime(e.registeredAt)}</span>` : ''}`,
  )}${cell(signed(e))}${cell(hashes(e), undefined, 'hashes')}${cell(yara(e), e.file?.yara.length ?? 0)}${cell(use(e.loads), e.loads.first ?? '')}${cell(
    use(e.executions),
    e.executions.first ?? '',
  )}${cell(why(e.reasons), undefined, 'why')}</tr>`;
}

/**
 * ESPs drawn in the report: evidence can name a hundred thousand DLLs (a forged log, a flood to
 * bury the one that matters), and a table that long neither opens nor gets read. The worst come
 * first; analysis.json keeps them all.
 */
export const MAX_REPORT_ESPS = 1000;

export function renderEsps(r: AnalysisResult): SafeHtml {
  const esps = stableSort(r.esps, (a, b) => (SUSPICION_RANK[a.suspicion] ?? 2) - (SUSPICION_RANK[b.suspicion] ?? 2) || compareStrings(a.dll, b.dll));
  const shown = esps.slice(0, MAX_REPORT_ESPS);
  const cut = esps.length - shown.length;
  return html`<section id="esps">
<h2>Extended stored procedures (${esps.length})</h2>
${cut > 0 ? html`<p class="hint">The first ${shown.length} are shown (malicious, then suspicious, then the rest); the other ${cut} are in analysis.json.</p>` : ''}
<p class="hint">Every ESP DLL seen in the event logs, ERRORLOG, SQL exports or on disk. Microsoft's ESPs live in the instance's <code>Binn</code> folder and are signed.</p>
<p class="hint">Signature: the Authenticode signature embedded in the DLL, verified (image digest, signer, chain to a trusted root at the signing time). Microsoft-signed means valid through a Microsoft root; roots given with <code>--trust</code> make a signature valid, never Microsoft's. Not checked: catalog (.cat) signatures, revocation (CRL/OCSP), Windows' own signing policy.</p>
${renderTable({
  id: 'esp-table',
  columns: [
    { label: 'Assessment' },
    { label: 'Procedure' },
    { label: 'DLL' },
    { label: 'Location' },
    { label: 'Registered' },
    { label: 'Signature' },
    { label: 'Hashes' },
    { label: 'YARA', type: 'num' },
    { label: 'Loaded' },
    { label: 'Executed' },
    { label: 'Why' },
  ],
  rows: shown.map(espRow),
  empty: 'No extended stored procedure was seen.',
})}
</section>`;
}

function loginRow(l: Login): SafeHtml {
  const flagged = l.createdDuringIncident || l.isSysadmin;
  return html`<tr${flagged ? html` class="flag"` : ''}>${cell(html`<code>${l.name}</code>`, l.name)}${cell(l.type)}${cell(
    displayTime(l.createDate),
    l.createDate ?? '',
  )}${cell(displayTime(l.modifyDate), l.modifyDate ?? '')}${cell(yesNo(l.isDisabled))}${cell(
    html`<span class="${l.isSysadmin ? 'bad' : 'neutral'}">${l.isSysadmin ? 'yes' : 'no'}</span>`,
  )}${cell(html`<span class="${l.createdDuringIncident ? 'bad' : 'neutral'}">${l.createdDuringIncident ? 'yes' : 'no'}</span>`)}${cell(l.source)}</tr>`;
}

/**
 * Logins drawn in the report: a server can hold hundreds of thousands (an export of a
 * hostile or just huge server), and a table that long neither opens nor gets read. The
 * rows are ordered so that the ones to verify come first; analysis.json keeps them all.
 */
export const MAX_REPORT_LOGINS = 1000;

export function renderLogins(r: AnalysisResult): SafeHtml {
  const logins = stableSort(
    r.logins,
    (a, b) => Number(b.createdDuringIncident) - Number(a.createdDuringIncident) || Number(b.isSysadmin) - Number(a.isSysadmin) || compareStrings(b.createDate, a.createDate),
  );
  const recent = logins.filter((l) => l.createdDuringIncident).length;
  const admins = logins.filter((l) => l.isSysadmin).length;
  const shown = logins.slice(0, MAX_REPORT_LOGINS);
  const cut = logins.length - shown.length;
  return html`<section id="logins">
<h2>Logins (${logins.length})</h2>
<p class="hint">${recent} created during the incident window, ${admins} with sysadmin. Maggie creates a backdoor login once it has sysadmin: verify every recent or sysadmin login.</p>
${cut > 0 ? html`<p class="hint">The first ${shown.length} are shown (created during the incident, then sysadmin, then newest); the other ${cut} are in analysis.json.</p>` : ''}
${renderTable({
  id: 'login-table',
  columns: [
    { label: 'Login' },
    { label: 'Type' },
    { label: 'Created (UTC)' },
    { label: 'Modified (UTC)' },
    { label: 'Disabled' },
    { label: 'Sysadmin' },
    { label: 'Created during incident' },
    { label: 'Source' },
  ],
  rows: shown.map(loginRow),
  empty: 'No login information (no SQL export was given).',
})}
</section>`;
}
