import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileSource } from '../../cli/file-source.js';
import { createEventView, loadRules } from '../../detection/sigma/index.js';
import type { EventJson } from '../../parsers/common/event.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import { readEvtxRecords } from '../../parsers/evtx/index.js';
import { REPO_ROOT, requireCorpus } from '../support/paths.js';
import { runCli } from '../support/cli.js';
import { securityEvent } from '../sigma/helpers.js';

const PACK_DIR = join(REPO_ROOT, 'rules', 'sigma');
const files = readdirSync(PACK_DIR)
  .filter((n) => n.endsWith('.yml'))
  .map((n) => ({ path: `rules/sigma/${n}`, text: readFileSync(join(PACK_DIR, n), 'utf8') }));
const loaded = loadRules(files);

const LOG_CLEARED = {
  security: 'Security Event Log Cleared',
  system: 'Windows Event Log Cleared',
  auditRemoved: 'Audit Policy Change Removed Auditing of Attack Activity',
  auditChanged: 'Audit Policy Changed',
  sqlAudit: 'MSSQL Server Audit Altered or Dropped',
} as const;

function titles(ev: EventJson): string[] {
  return loaded.rules
    .match(createEventView(ev))
    .filter((m) => m.reported)
    .map((m) => m.rule.title)
    .sort();
}

async function corpusEvents(rel: string): Promise<EventJson[]> {
  const src = await openFileSource(join(requireCorpus('evtx'), rel));
  const out: EventJson[] = [];
  try {
    for await (const o of readEvtxRecords(src, {})) if (o.ok) out.push(o.record.event);
  } finally {
    await src.close?.();
  }
  return out;
}

const CLEARED = 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1070.001-Clear Windows event logs/ID104-1102-Event log cleared.evtx';
const AUDIT = 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1562.002-Disable Windows Event Logging/ID4719-Audit policy deactivation.evtx';

describe('anti-forensics Sigma rules', () => {
  it('load with the pack, without errors, and show in `hunt --check`', async () => {
    expect(loaded.errors).toEqual([]);
    const ours = loaded.rules.metas().filter((m) => Object.values(LOG_CLEARED).includes(m.title as never));
    expect(ours.map((m) => [m.title, m.level]).sort()).toEqual(
      [
        [LOG_CLEARED.auditChanged, 'medium'],
        [LOG_CLEARED.sqlAudit, 'high'],
        [LOG_CLEARED.auditRemoved, 'high'],
        [LOG_CLEARED.system, 'high'],
        [LOG_CLEARED.security, 'high'],
      ].sort(),
    );
    const r = await runCli(['--json', 'hunt', '--check']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { loaded: number; rejected: number };
    expect(report.rejected).toBe(0);
    expect(report.loaded).toBe(loaded.documents);
  });

  it('match the real 1102 and 104 records of the corpus, each on its own log', async () => {
    const evs = await corpusEvents(CLEARED);
    const byId = new Map<number, string[][]>();
    for (const ev of evs) {
      const id = summarizeEvent(ev).eventId;
      byId.set(id, [...(byId.get(id) ?? []), titles(ev)]);
    }
    expect(byId.get(1102)?.length).toBeGreaterThan(0);
    expect(byId.get(104)?.length).toBeGreaterThan(0);
    for (const t of byId.get(1102) ?? []) expect(t).toEqual([LOG_CLEARED.security]);
    for (const t of byId.get(104) ?? []) expect(t).toEqual([LOG_CLEARED.system]);
  });

  it('match the real 4719 records of the corpus: removed success auditing of Security State Change is high', async () => {
    const evs = (await corpusEvents(AUDIT)).filter((ev) => summarizeEvent(ev).eventId === 4719);
    expect(evs.length).toBeGreaterThan(0);
    const all = evs.map(titles);
    for (const t of all) expect(t.length).toBe(1);
    expect(all.flat()).toContain(LOG_CLEARED.auditRemoved);
  });

  it('match the real SQL Server Audit records that alter or drop an audit or audit specification, not the logins around them', async () => {
    const dir = 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1562.002-Disable Windows Event Logging';
    const names = readdirSync(join(requireCorpus('evtx'), dir))
      .filter((n) => n.startsWith('ID33205'))
      .sort();
    expect(names.length).toBe(6);
    let fired = 0;
    let quiet = 0;
    for (const n of names) {
      for (const ev of await corpusEvents(`${dir}/${n}`)) {
        const text = JSON.stringify(ev);
        const alters = /statement:(ALTER|DROP) (SERVER AUDIT|DATABASE AUDIT SPECIFICATION)/.test(text);
        expect(titles(ev), n).toEqual(alters ? [LOG_CLEARED.sqlAudit] : titles(ev).filter((t) => t !== LOG_CLEARED.sqlAudit));
        if (alters) fired++;
        else quiet++;
      }
    }
    // 9 ALTER/DROP statements across the six files; the logins and audit session changes beside them stay quiet.
    expect([fired, quiet]).toEqual([9, 9]);
  });

  it('do not fire on look-alikes', () => {
    // 1102 from another provider (a forged or unrelated event) and a 4719 adding auditing.
    const forged = securityEvent(1102, { SubjectUserName: 'x' });
    expect(titles(forged)).toEqual([]);
    const added = securityEvent(4719, { SubcategoryGuid: '{0CCE922B-69AE-11D9-BED3-505054503030}', AuditPolicyChanges: '%%8449' });
    expect(titles(added)).toEqual([LOG_CLEARED.auditChanged]);
    const removedOther = securityEvent(4719, { SubcategoryGuid: '{0CCE9224-69AE-11D9-BED3-505054503030}', AuditPolicyChanges: '%%8448' });
    expect(titles(removedOther)).toEqual([LOG_CLEARED.auditChanged]);
    const removedLogon = securityEvent(4719, { SubcategoryGuid: '{0cce9215-69ae-11d9-bed3-505054503030}', AuditPolicyChanges: '%%8448, %%8450' });
    expect(titles(removedLogon)).toEqual([LOG_CLEARED.auditRemoved]);
  });
});
