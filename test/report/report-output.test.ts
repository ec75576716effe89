import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostDirName, relativeHref, renderReportOutputs, writeFleet, writeReportOutputs } from '../../cli/report-output.js';
import { renderFleet } from '../../report-templates/fleet.js';
import { cleanResult, maggieResult, xssResult } from './fixtures.js';
import { GENERATED_AT, TEMPLATES } from './templates.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'espy-report-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('writeReportOutputs', () => {
  it('writes the report and every export beside it', async () => {
    const out = join(tmp(), 'SQL01');
    const r = maggieResult();
    const res = await writeReportOutputs(r, out, { generatedAt: GENERATED_AT, analysisJson: true });
    expect(res.report).toBe(join(out, 'report.html'));
    expect(readdirSync(out).sort()).toEqual(['analysis.json', 'findings.csv', 'report.html', 'summary.md', 'timeline.csv', 'timeline.jsonl']);
    expect(res.files.map((f) => f.slice(out.length + 1))).toEqual(['report.html', 'findings.csv', 'timeline.csv', 'timeline.jsonl', 'summary.md', 'analysis.json']);
    expect(readFileSync(res.report, 'utf8')).toContain('COMPROMISED');
    expect(JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'))).toEqual(r);
    // Same input, same bytes.
    const again = await writeReportOutputs(r, join(tmp(), 'again'), { generatedAt: GENERATED_AT });
    expect(readFileSync(again.report, 'utf8')).toBe(readFileSync(res.report, 'utf8'));
  });

  it('renders the same outputs in memory (for storing inside a bundle)', async () => {
    const r = maggieResult();
    const mem = renderReportOutputs(r, { generatedAt: GENERATED_AT });
    expect(mem.map((o) => o.name)).toEqual(['report.html', 'findings.csv', 'timeline.csv', 'timeline.jsonl', 'summary.md']);
    const out = tmp();
    await writeReportOutputs(r, out, { generatedAt: GENERATED_AT });
    for (const o of mem) expect(readFileSync(join(out, o.name), 'utf8')).toBe(o.text);
  });

  it('prefers the bundle given by the caller', async () => {
    const out = tmp();
    await writeReportOutputs(cleanResult(), out, { generatedAt: GENERATED_AT, bundle: { name: 'other.zip', sha256: 'f'.repeat(64) } });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('f'.repeat(64));
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('Bundle: other.zip');
  });
});

describe('fleet', () => {
  it('hostDirName never yields a path, scheme or dot name', () => {
    expect(hostDirName('SQL01')).toBe('SQL01');
    expect(hostDirName('../../etc')).toBe('.._.._etc');
    expect(hostDirName('javascript:alert(1)')).toBe('javascript_alert_1_');
    expect(hostDirName('..')).toBe('host_');
    expect(hostDirName('')).toBe('host');
    expect(hostDirName('a'.repeat(100), 2)).toBe(`${'a'.repeat(64)}-2`);
    expect(hostDirName('maggie\u202Elld')).toBe('maggie_lld');
  });

  it('relativeHref percent-encodes each segment', () => {
    expect(relativeHref('/x/out', '/x/out/SQL01/report.html')).toBe('SQL01/report.html');
    expect(relativeHref('/x/out', '/x/other/a b/report.html')).toBe('../other/a%20b/report.html');
    expect(relativeHref('/x/out', '/x/out/javascript:alert(1)/report.html')).toBe('javascript%3Aalert(1)/report.html');
  });

  it('writes one row per host, worst first, with links to each report', async () => {
    const out = tmp();
    const hosts = [
      { result: cleanResult(), reportPath: join(out, 'SQL02', 'report.html') },
      { result: maggieResult(), reportPath: join(out, 'SQL01', 'report.html') },
    ];
    const path = await writeFleet(hosts, out, { generatedAt: GENERATED_AT, espyVersion: '0.1.0' });
    const doc = readFileSync(path, 'utf8');
    expect(path).toBe(join(out, 'fleet.html'));
    const rows = doc.slice(doc.indexOf('<tbody>')).split('<tr').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('SQL01');
    expect(rows[0]).toContain('COMPROMISED');
    expect(rows[0]).toContain('href="SQL01/report.html"');
    expect(rows[0]).toContain('<code>maggie</code>');
    expect(rows[1]).toContain('NO INDICATORS FOUND');
    expect(doc).toContain('<strong>1</strong> compromised');
  });

  it('never links an unsafe href and escapes host data', () => {
    const doc = renderFleet([{ result: xssResult(), reportHref: 'javascript:alert(1)' }], TEMPLATES, { generatedAt: GENERATED_AT, espyVersion: '0.1.0' });
    expect(doc).not.toContain('href="javascript:');
    expect(doc).not.toContain('<img src=x');
    expect(doc).toContain('title="unsafe link not shown"');
  });
});
