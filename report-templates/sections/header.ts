/** The header: verdict banner (colour and words) and the facts of the run. */
import type { AnalysisResult, Verdict } from '../../detection/analysis-result.js';
import { html, type SafeHtml } from '../html.js';
import { displayTime, elapsedMs, formatDuration } from '../format.js';

export interface VerdictInfo {
  /** CSS class suffix: only these three values ever reach a class attribute. */
  cls: 'compromised' | 'suspicious' | 'clean' | 'unknown';
  label: string;
  /** The answer to "Is this host affected?", in one sentence. */
  answer: string;
}

export function verdictInfo(v: Verdict | string): VerdictInfo {
  switch (v) {
    case 'COMPROMISED':
      return {
        cls: 'compromised',
        label: 'COMPROMISED',
        answer: 'Yes. This host shows evidence of an Extended Stored Procedure (ESP) backdoor or of an attacker in SQL Server.',
      };
    case 'SUSPICIOUS':
      return {
        cls: 'suspicious',
        label: 'SUSPICIOUS',
        answer: 'Possibly. espy found suspicious activity that an analyst must review before ruling a compromise in or out.',
      };
    case 'NO_INDICATORS':
      return {
        cls: 'clean',
        label: 'NO INDICATORS FOUND',
        answer: 'No indicators of compromise were found in the evidence that was checked. This is not proof that the host is clean: see "Coverage and gaps" for what was not checked.',
      };
    default:
      return { cls: 'unknown', label: 'UNKNOWN VERDICT', answer: 'The analysis produced a verdict this report does not know.' };
  }
}

export interface HeaderOptions {
  generatedAt: string;
  bundle?: { name: string; sha256: string };
}

function fact(label: string, value: SafeHtml | string | undefined, cls = ''): SafeHtml | '' {
  if (value === undefined || value === '') return '';
  return html`<div class="fact ${cls}"><dt>${label}</dt><dd>${value}</dd></div>`;
}

/** What the bundle's `.sha256` sidecar says of the hash computed from the zip. */
function sidecarNote(s: AnalysisResult['source']['bundleSidecar']): SafeHtml | '' {
  if (s === 'ok') return html` <span class="muted">(computed from the zip; matches its .sha256 sidecar)</span>`;
  if (s === 'mismatch') return html` <strong>(computed from the zip; its .sha256 sidecar disagrees: see the first findings)</strong>`;
  if (s === 'missing') return html` <span class="muted">(computed from the zip; no .sha256 sidecar beside it)</span>`;
  return '';
}

export function renderHeader(r: AnalysisResult, opts: HeaderOptions): SafeHtml {
  const v = verdictInfo(r.verdict.verdict);
  const instances = r.host.sqlInstances.map((i) => html`<span class="inst">${i.name}${i.version ? html` <span class="muted">(${i.version})</span>` : ''}</span>`);
  const bundleName = opts.bundle?.name ?? r.source.bundleName;
  const bundleSha = opts.bundle?.sha256 ?? r.source.bundleSha256;
  const elapsed = elapsedMs(r.timings);
  return html`<header class="banner v-${v.cls}" id="top">
<div class="verdict-line"><span class="verdict" id="verdict">${v.label}</span><span class="host-name">${r.host.name}</span></div>
<dl class="facts">
${fact('Host', html`${r.host.name}${r.host.domain ? html` <span class="muted">(${r.host.domain})</span>` : ''}`)}
${fact('Operating system', r.host.os)}
${fact('SQL Server instances', instances.length > 0 ? html`${instances}` : 'none identified')}
${fact('Host time zone', r.host.timeZone)}
${fact('Collected', r.source.collectedAt ? displayTime(r.source.collectedAt) : undefined)}
${fact('Collected by', r.source.collectedBy)}
${fact('Analysed', displayTime(r.generatedAt))}
${fact('Report generated', displayTime(opts.generatedAt))}
${fact('espy version', r.espyVersion)}
${fact('Command line', r.command ? html`<code>${r.command}</code>` : undefined, 'wide')}
${fact('Elapsed', formatDuration(elapsed))}
${fact('Evidence source', html`${r.source.kind}: <code>${r.source.path}</code>`, 'wide')}
${fact('Bundle', bundleName ? html`<code>${bundleName}</code>` : undefined, 'wide')}
${fact('Bundle SHA-256', bundleSha ? html`<code class="hash">${bundleSha}</code>${sidecarNote(r.source.bundleSidecar)}` : undefined, 'wide')}
</dl>
</header>`;
}
