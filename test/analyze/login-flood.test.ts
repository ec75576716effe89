import { describe, expect, it } from 'vitest';
import type { Login } from '../../detection/analysis-result.js';
import { capPerRule, findingsFromLogins, MAX_FINDINGS_PER_RULE } from '../../detection/analyze/findings.js';

function login(i: number, sysadmin: boolean, during = true): Login {
  const t = `2024-03-01T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`;
  return { name: `flood_${i}`, type: 'SQL_LOGIN', createDate: t, isSysadmin: sysadmin, createdDuringIncident: during, source: `sql/server_principals.csv:${i + 2}` };
}

describe('logins created during the incident', () => {
  it('a few: one finding each, with the export line as evidence', () => {
    const f = capPerRule(findingsFromLogins([login(0, true), login(1, false), login(2, false, false)]));
    expect(f.map((d) => [d.title, d.severity, d.evidence[0]?.line])).toEqual([
      ["Login 'flood_0' created during the incident (sysadmin)", 'critical', 2],
      ["Login 'flood_1' created during the incident", 'high', 3],
    ]);
  });

  it('a flood of 200,000: sysadmins keep their own finding, the rest are counted in one', () => {
    const logins: Login[] = [];
    for (let i = 0; i < 200_000; i++) logins.push(login(i, i === 150_000 || i === 199_999));
    const f = capPerRule(findingsFromLogins(logins));
    expect(f).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    // The two sysadmins, buried at the end of the export, come first.
    expect(f.slice(0, 2).map((d) => d.title)).toEqual(["Login 'flood_150000' created during the incident (sysadmin)", "Login 'flood_199999' created during the incident (sysadmin)"]);
    const rest = f.at(-1);
    expect(rest?.title).toBe(`${200_000 - MAX_FINDINGS_PER_RULE} more logins created during the incident`);
    expect(rest?.count).toBe(200_000 - MAX_FINDINGS_PER_RULE);
    expect(rest?.severity).toBe('high');
    expect(rest?.evidence.length).toBeGreaterThan(0);
    expect((rest?.firstSeen ?? '~') <= (rest?.lastSeen ?? '')).toBe(true);
  });
});
