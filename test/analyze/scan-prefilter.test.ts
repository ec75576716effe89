import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFolderEvidence } from '../../collector/evidence-folder.js';
import { analysisWants, mayNameEspDll } from '../../detection/analyze/event-prefilter.js';
import { loadRules } from '../../detection/sigma/index.js';
import { SAMPLES } from '../support/paths.js';
import { scanBothWays, scanFacts, shippedSigmaFiles } from '../support/scan-compare.js';

const hosts = readdirSync(SAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith('host-'))
  .map((d) => d.name);

describe('event scan prefilter: the same analysis inputs as rendering every record', () => {
  const rules = loadRules(shippedSigmaFiles()).rules;

  it.each(hosts)('%s', async (host) => {
    const evidence = await openFolderEvidence(join(SAMPLES, host));
    try {
      const artefacts = await evidence.list();
      const { fast, full } = await scanBothWays(evidence, artefacts, rules);
      expect(full.stats.some((s) => s.records > 0)).toBe(true);
      expect(scanFacts(fast)).toEqual(scanFacts(full));
    } finally {
      await evidence.close();
    }
  });

  it('wants what a rule can match and what can name an ESP DLL, not the rest', () => {
    const want = analysisWants(rules);
    const head = (channel: string, provider: string, id: number): Parameters<typeof want>[0] => ({
      Event: { System: { Provider: { '#attributes': { Name: provider } }, EventID: id, Channel: channel } },
    });
    expect(want(head('Application', 'MSSQLSERVER', 8128))).toBe(true);
    expect(want(head('Application', 'MSSQL$SQL2', 17750))).toBe(true);
    expect(want(head('Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon', 7))).toBe(true);
    expect(want(head('System', 'Microsoft-Windows-Eventlog', 104))).toBe(true);
    expect(want(head('Security', 'Microsoft-Windows-Security-Auditing', 4624))).toBe(false);
    expect(want(head('Microsoft-Windows-PowerShell/Operational', 'Microsoft-Windows-PowerShell', 4104))).toBe(false);
    expect(mayNameEspDll({ provider: 'Microsoft-Windows-Sysmon', channel: '', eventId: 1, computer: '', timestamp: '' })).toBe(false);
  });

  it('a rule without an EventID keeps its whole channel', () => {
    const loose = loadRules([
      {
        path: 'loose.yml',
        text: 'title: any powershell\nid: 00000000-0000-0000-0000-000000000001\nlogsource:\n  product: windows\n  service: powershell\ndetection:\n  sel:\n    - Invoke-Mimikatz\n  condition: sel\n',
      },
    ]);
    expect(loose.errors).toEqual([]);
    const want = analysisWants(loose.rules);
    const ps = { Event: { System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-PowerShell' } }, EventID: 4103, Channel: 'Microsoft-Windows-PowerShell/Operational' } } };
    expect(want(ps)).toBe(true);
    expect(want({ Event: { System: { ...ps.Event.System, Channel: 'Security' } } })).toBe(false);
  });
});
