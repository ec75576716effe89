/**
 * The logs are scanned from what the evidence claims to hold while its integrity check runs;
 * a check that changes what a log is makes the analysis scan again from the checked list, so
 * the result never rests on a claim the check refuted.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownEspSets } from '../../cli/analysis-setup.js';
import { openEvidence } from '../../collector/index.js';
import type { EvidenceArtefact, EvidenceSet } from '../../detection/evidence.js';
import { analyze } from '../../detection/analyze/run.js';
import { SAMPLES } from '../support/paths.js';

const OPTS = { sigma: [], known: knownEspSets(), espyVersion: 'test', generatedAt: '2026-01-01T00:00:00.000Z' };

/** host-maggie whose claimed list is `claim(list)`; counts the opens of each log. */
async function claimingHost(claim: (list: EvidenceArtefact[]) => EvidenceArtefact[]): Promise<{ evidence: EvidenceSet; opens: Map<string, number> }> {
  const ev = await openEvidence(join(SAMPLES, 'host-maggie'));
  const opens = new Map<string, number>();
  const evidence: EvidenceSet = {
    ...ev,
    list: () => ev.list(),
    lookup: (p) => ev.lookup(p),
    hostInfo: () => ev.hostInfo(),
    integrity: () => Promise.resolve(undefined),
    listClaimed: async () => claim(await ev.list()),
    open: (a) => {
      if (a.kind === 'evtx' || a.kind === 'errorlog') opens.set(a.originalPath, (opens.get(a.originalPath) ?? 0) + 1);
      return ev.open(a);
    },
  };
  return { evidence, opens };
}

describe('the log scan starts on the claimed list', () => {
  it('claims that hold: each log is read once, and the result is that of the checked list', async () => {
    const { evidence, opens } = await claimingHost((list) => list);
    const r = await analyze(evidence, OPTS);
    expect(r.verdict.verdict).toBe('COMPROMISED');
    expect([...opens.values()].every((n) => n === 1)).toBe(true);
    expect(opens.size).toBeGreaterThan(0);
  });

  it('a claim the check refutes (a log under another name): scanned again, nothing of the claim left', async () => {
    const { evidence, opens } = await claimingHost((list) => list.map((a) => (a.kind === 'errorlog' ? { ...a, originalPath: 'C:\\Lies\\ERRORLOG' } : a)));
    const honest = await analyze((await claimingHost((list) => list)).evidence, OPTS);
    const r = await analyze(evidence, OPTS);
    const text = JSON.stringify(r);
    expect(text).not.toContain('Lies');
    expect(r.findings.map((f) => f.title)).toEqual(honest.findings.map((f) => f.title));
    expect(r.coverage).toEqual(honest.coverage);
    // The event logs were read twice (for the claim, then for the checked list); the ERRORLOGs, which the claim misnamed, once.
    const counts = [...opens.entries()].filter(([p]) => !p.includes('Lies'));
    expect(counts.filter(([p]) => p.endsWith('.evtx')).every(([, n]) => n === 2)).toBe(true);
    expect(counts.filter(([p]) => !p.endsWith('.evtx')).map(([, n]) => n)).toContain(1);
  });
});
