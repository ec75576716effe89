/**
 * The fleet page: findings counted by severity, and a host without indicators whose
 * findings are all low or informational says so beside its count.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../detection/analysis-result.js';
import { renderFleet } from '../../report-templates/index.js';
import { cleanResult, maggieResult } from './fixtures.js';
import { GENERATED_AT, TEMPLATES } from './templates.js';

function lowFinding(id: string, severity: 'low' | 'informational'): Finding {
  return { id, ruleId: `r-${id}`, title: `check ${id}`, severity, attack: [], source: 'esp', explanation: '', nextSteps: [], evidence: [], count: 1 };
}

/** The `<tr>` of the host named `name` in the fleet table. */
function rowOf(doc: string, name: string): string {
  const rows = doc.slice(doc.indexOf('<tbody>'), doc.indexOf('</tbody>')).split('<tr').slice(1);
  const row = rows.find((r) => r.includes(`<strong>${name}</strong>`));
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

describe('fleet page', () => {
  const clean = cleanResult();
  clean.findings = [lowFinding('F001', 'low'), lowFinding('F002', 'low'), lowFinding('F003', 'informational')];
  const quiet = cleanResult();
  quiet.host.name = 'SQL03';
  const doc = renderFleet(
    [
      { result: maggieResult(), reportHref: 'SQL01/report.html' },
      { result: clean, reportHref: 'SQL02/report.html' },
      { result: quiet, reportHref: 'SQL03/report.html' },
    ],
    TEMPLATES,
    { generatedAt: GENERATED_AT, espyVersion: '0.1.0' },
  );

  it('counts findings by severity', () => {
    const m = maggieResult();
    const row = rowOf(doc, m.host.name);
    for (const s of ['critical', 'high', 'medium', 'low', 'informational'] as const) {
      const n = m.findings.filter((f) => f.severity === s).length;
      if (n > 0) expect(row).toContain(`<div class="sev-count">${n} <span class="sev sev-${s}">${s}</span></div>`);
      else expect(row).not.toContain(`sev-count">${n} <span class="sev sev-${s}"`);
    }
    expect(rowOf(doc, 'SQL02')).toContain('<div class="sev-count">2 <span class="sev sev-low">low</span></div>');
  });

  it('says when a host without indicators has only low and informational findings', () => {
    expect(rowOf(doc, 'SQL02')).toContain('only low and informational findings (3)');
    expect(rowOf(doc, 'SQL03')).not.toContain('only low');
    expect(rowOf(doc, maggieResult().host.name)).not.toContain('only low');
  });

  it('keeps the host name in a cell with a minimum width', () => {
    expect(rowOf(doc, 'SQL02')).toContain('<td class="host" data-v="SQL02"><strong>SQL02</strong></td>');
    expect(TEMPLATES.css).toMatch(/\.fleet td\.host \{ min-width: 8rem; \}/);
  });
});
