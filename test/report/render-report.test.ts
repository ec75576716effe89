import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../report-templates/index.js';
import { selectKeyEvidence } from '../../report-templates/sections/affected.js';
import { withCode } from '../../report-templates/sections/findings.js';
import { MAX_REPORT_LOGINS } from '../../report-templates/sections/inventory.js';
import { TIMELINE_HTML_ROWS, type TimelineData } from '../../report-templates/sections/timeline.js';
import { bigResult, cleanResult, generateTimeline, maggieResult, MAGGIE_SHA256, XSS_PAYLOADS, xssResult } from './fixtures.js';
import { GENERATED_AT, TEMPLATES } from './templates.js';

function render(r = maggieResult()): string {
  return renderReport(r, TEMPLATES, { generatedAt: GENERATED_AT });
}

function inline(doc: string, tag: 'style' | 'script'): string[] {
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  return [...doc.matchAll(re)].map((m) => m[1] ?? '');
}

function timelineData(doc: string): TimelineData {
  const m = /<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(doc);
  if (!m?.[1]) throw new Error('no timeline data');
  return JSON.parse(m[1]) as TimelineData;
}

describe('renderReport', () => {
  it('is deterministic and reads no clock', () => {
    expect(render()).toBe(render());
  });

  it('carries a CSP whose hashes are those of the inline style and script actually emitted', () => {
    const doc = render();
    const csp = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(doc)?.[1] ?? '').replace(/&#39;/g, "'");
    const styles = inline(doc, 'style');
    const scripts = inline(doc, 'script');
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1); // the JSON data block has attributes, so not matched here
    const h = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    expect(csp).toContain(`script-src ${h(scripts[0] ?? '')}`);
    expect(csp).toContain(`style-src ${h(styles[0] ?? '')}`);
    for (const d of ["default-src 'none'", 'img-src data:', "connect-src 'none'", "form-action 'none'", "base-uri 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toContain('unsafe');
    // The CSP meta comes before any style or script.
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<style>'));
  });

  it('loads nothing from outside the file', () => {
    const doc = render();
    expect(doc).not.toMatch(/<(link|img|iframe|object|embed|base)\b/i);
    expect(doc).not.toMatch(/\bsrc=/i);
    expect(doc).not.toMatch(/url\(/i);
  });

  it('shows the verdict, host facts and the key evidence with where it came from', () => {
    const r = maggieResult();
    const doc = render(r);
    expect(doc).toContain('<span class="verdict" id="verdict">COMPROMISED</span>');
    expect(doc).toContain('class="banner v-compromised"');
    for (const s of [
      'SQL01',
      'MSSQLSERVER',
      '2026-03-20 08:55:00.0000000Z',
      '0.1.0',
      'espy analyze ./espy-out/SQL01-20260320.zip',
      '11.9 s',
      'SQL01-20260320T085500Z.zip',
      r.source.bundleSha256 ?? '',
    ]) {
      expect(doc).toContain(s);
    }
    const key = selectKeyEvidence(r.findings);
    expect(key.length).toBeGreaterThanOrEqual(3);
    expect(key.length).toBeLessThanOrEqual(5);
    expect(key.map((k) => k.finding.id)).toEqual(['F001', 'F002', 'F003', 'F004', 'F005']);
    // The key evidence comes before the findings section, with artefact + record id / line / offset.
    const affected = doc.slice(doc.indexOf('id="affected"'), doc.indexOf('id="findings"'));
    expect(affected).toContain('Application.evtx, record 4711');
    expect(affected).toContain('ERRORLOG, line 412');
    expect(affected).toContain('sqlmaint.dll, offset 0x2a40');
    expect(affected).toContain('EXEC sp_dropextendedproc &#39;maggie&#39;');
    expect(affected).toContain('1433');
    expect(affected).toMatch(/strong SQL Server passwords/);
    expect(affected).toMatch(/backdoor logins/);
  });

  it('renders every section, ESP hashes, YARA hits, logins and ATT&CK links', () => {
    const doc = render();
    for (const id of ['affected', 'findings', 'esps', 'logins', 'timeline', 'coverage', 'collection']) expect(doc).toContain(`<section id="${id}"`);
    expect(doc).toContain(MAGGIE_SHA256);
    expect(doc).toContain('<code>maggie_backdoor</code>');
    expect(doc).toContain('href="https://attack.mitre.org/techniques/T1505/001/"');
    expect(doc).toContain('<code>sqlbackup</code>');
    expect(doc).toContain('What was NOT checked');
    expect(doc).toContain('Security event log</strong>: not present in the evidence');
    // Findings ordered by severity.
    const pos = ['finding-F001', 'finding-F003', 'finding-F005', 'finding-F006'].map((id) => doc.indexOf(`id="${id}"`));
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });

  it('renders `backtick` spans of next steps as code, escaped', () => {
    expect(withCode("run `EXEC sp_dropextendedproc '<x>'` now").value).toBe('run <code>EXEC sp_dropextendedproc &#39;&lt;x&gt;&#39;</code> now');
    expect(withCode('odd ` backtick <b>').value).toBe('odd ` backtick &lt;b&gt;');
  });

  it('never shows the same record twice as key evidence', () => {
    const r = maggieResult();
    const shared = r.findings[2]!.evidence[0]!;
    r.findings[0]!.evidence = [shared];
    r.findings[1]!.evidence = [shared, { ...shared, line: 999 }];
    const key = selectKeyEvidence(r.findings);
    const where = key.map((k) => `${k.ref.artefact}|${k.ref.line ?? ''}|${k.ref.recordId ?? ''}`);
    expect(new Set(where).size).toBe(where.length);
    expect(key[0]?.finding.id).toBe('F001');
    expect(key[1]).toMatchObject({ finding: { id: 'F002' }, ref: { line: 999 } });
  });

  it('tells a SUSPICIOUS reader what to check, not how to clean up', () => {
    const r = maggieResult();
    r.verdict = { verdict: 'SUSPICIOUS', reasons: ['high: burst'] };
    const doc = render(r);
    expect(doc).toContain('What to check next');
    expect(doc).not.toContain('What to do now');
    expect(doc).toContain('class="banner v-suspicious"');
  });

  it('says what a clean verdict means, without remediation steps', () => {
    const doc = render(cleanResult());
    expect(doc).toContain('NO INDICATORS FOUND');
    expect(doc).toContain('class="banner v-clean"');
    expect(doc).toContain('not proof that the host is clean');
    expect(doc).not.toContain('What to do now');
    expect(doc).not.toContain('What to check next');
  });

  it('keeps XSS payloads inert in every field', () => {
    const doc = render(xssResult());
    for (const bad of ['<img src=x', '<script>alert', '<svg onload', ' onmouseover=alert(1) x="', 'href="javascript:', '</style><script>', '<!--<script>', '\u202E', '\u2028']) {
      expect(doc).not.toContain(bad);
    }
    expect(doc).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(doc).toContain('\\u202E');
    // The ATT&CK "javascript:alert(1)" entry is shown as text, not as a link.
    expect(doc).toContain('<span class="attack">javascript:alert(1)</span>');
    // Exactly one executable script element: the template's own.
    expect(doc.match(/<script>/g)).toHaveLength(1);
    expect(doc.match(/<script\b/g)).toHaveLength(2);
    // The template placeholder in evidence was not substituted.
    expect(doc).toContain('{{body}}');
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(5);
  });

  it('server-renders the first rows and puts every row in the compact data block', () => {
    const r = bigResult(2000);
    const doc = render(r);
    const body = doc.slice(doc.indexOf('id="timeline-body"'), doc.indexOf('</tbody>', doc.indexOf('id="timeline-body"')));
    expect(body.match(/<tr>/g)).toHaveLength(TIMELINE_HTML_ROWS);
    expect(doc).toContain(`Showing the first ${TIMELINE_HTML_ROWS} of 2000 events`);
    const data = timelineData(doc);
    expect(data.total).toBe(2000);
    expect(data.rows).toHaveLength(2000);
    const first = data.rows[0] ?? [];
    expect(first[0]).toBe(r.timeline[0]?.timestamp);
    expect(data.strings[first[6] as number]).toBe(r.timeline[0]?.message);
    // Times ascending.
    for (let i = 1; i < data.rows.length; i++) expect(String(data.rows[i - 1]?.[0]) <= String(data.rows[i]?.[0])).toBe(true);
  });

  it('sorts an unordered timeline stably by time', () => {
    const r = maggieResult();
    r.timeline = generateTimeline(50).reverse();
    const data = timelineData(render(r));
    expect(data.rows.map((x) => x[0])).toEqual(generateTimeline(50).map((e) => e.timestamp));
  });

  it('draws at most MAX_REPORT_LOGINS logins, the incident and sysadmin ones first, and says where the rest are', () => {
    const r = cleanResult();
    const extra = MAX_REPORT_LOGINS + 5;
    r.logins = Array.from({ length: extra }, (_x, i) => ({
      name: `login_${i}`,
      type: 'SQL_LOGIN',
      createDate: '2025-01-20T08:41:12.0000000Z',
      isDisabled: false,
      isSysadmin: false,
      createdDuringIncident: false,
      source: `server_principals.csv:${i + 2}`,
    }));
    r.logins.push({
      name: 'backdoor_admin',
      type: 'SQL_LOGIN',
      createDate: '2020-01-01T00:00:00.0000000Z',
      isDisabled: false,
      isSysadmin: true,
      createdDuringIncident: true,
      source: 'server_principals.csv:9999',
    });
    const doc = render(r);
    const section = doc.slice(doc.indexOf('<section id="logins"'), doc.indexOf('</section>', doc.indexOf('<section id="logins"')));
    expect(section.match(/<code>(login_\d+|backdoor_admin)<\/code>/g)?.length).toBe(MAX_REPORT_LOGINS);
    expect(section).toContain('backdoor_admin');
    expect(section).toContain(`Logins (${extra + 1})`);
    expect(section).toContain(`the other ${extra + 1 - MAX_REPORT_LOGINS} are in analysis.json`);
  });

  it('copes with an empty result', () => {
    const r = cleanResult();
    r.timeline = [];
    r.esps = [];
    r.logins = [];
    r.coverage = [];
    delete r.collection;
    r.timings = {};
    const doc = render(r);
    expect(doc).toContain('No timeline events.');
    expect(doc).not.toContain('id="timeline-data"');
    expect(doc).toContain('No extended stored procedure was seen.');
  });

  it('rejects a skeleton missing a placeholder and a script that would close itself', () => {
    expect(() => renderReport(maggieResult(), { ...TEMPLATES, skeleton: '<html>{{body}}</html>' }, { generatedAt: GENERATED_AT })).toThrow(/\{\{csp\}\}/);
    expect(() => renderReport(maggieResult(), { ...TEMPLATES, js: 'x="</script>"' }, { generatedAt: GENERATED_AT })).toThrow(/<\/script/);
  });
});
