/**
 * Timeline rows name their rules by title (what a responder can read), with the rule ids
 * kept on hover, in the server-rendered rows and in the data block report.js pages from.
 */
import { describe, expect, it } from 'vitest';
import { buildTimelineData, ruleTitles, sortTimeline } from '../../report-templates/sections/timeline.js';
import { renderReport } from '../../report-templates/index.js';
import { maggieResult } from './fixtures.js';
import { GENERATED_AT, TEMPLATES } from './templates.js';

describe('timeline rule titles', () => {
  const r = maggieResult();
  const finding = r.findings.find((f) => f.source === 'sigma' || f.source === 'correlation') ?? r.findings[0];
  if (!finding) throw new Error('fixture has no finding');
  const entry = r.timeline[0];
  if (!entry) throw new Error('fixture has no timeline');
  entry.ruleIds = [finding.ruleId, 'unknown-rule-id'];

  it('renders titles with the ids in title=""', () => {
    const doc = renderReport(r, TEMPLATES, { generatedAt: GENERATED_AT });
    const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(doc).toContain(`<span title="${esc(`${finding.ruleId}, unknown-rule-id`)}">${esc(`${finding.title}, unknown-rule-id`)}</span>`);
  });

  it('puts titles in the rules column of the data block and the ids after the offset', () => {
    const data = buildTimelineData(sortTimeline(r.timeline), ruleTitles(r));
    const i = sortTimeline(r.timeline).indexOf(entry);
    const row = data.rows[i] ?? [];
    expect(data.strings[row[7] as number]).toBe(`${finding.title}, unknown-rule-id`);
    expect(data.strings[row[12] as number]).toBe(`${finding.ruleId}, unknown-rule-id`);
  });
});
