import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysisWants } from '../../detection/analyze/event-prefilter.js';
import { RuleSet, loadRules } from '../../detection/sigma/index.js';
import { memorySource } from '../../parsers/common/byte-source.js';
import { scanEvtxRecords } from '../../parsers/evtx/index.js';
import { requireCorpus } from '../support/paths.js';
import { corpusEvtxFiles, evtxFilesEvidence, scanBothWays, scanFacts, shippedSigmaFiles, sigmaFilesUnder } from '../support/scan-compare.js';

/**
 * The analysis scan's prefilter never drops what a rule matches: over every corpus EVTX,
 * with espy's rules and SigmaHQ's Windows rules (many channels, EventIDs and providers, and
 * rules with none), the scan with the prefilter gives the same hits, kept events and
 * statistics as rendering every record.
 */
const files = corpusEvtxFiles();

describe('event scan prefilter over the EVTX corpus', () => {
  const all = loadRules([...shippedSigmaFiles(), ...sigmaFilesUnder(join(requireCorpus('sigma'), 'rules', 'windows'))]).rules;
  // The few rules that read every channel and every EventID would make every record wanted
  // (nothing left to prefilter): left out, so the comparison exercises the head-only path.
  const rules = new RuleSet(
    all.rules.filter((r) => r.alternatives.every((a) => a.channels !== undefined || a.eventIds !== undefined)),
    [],
  );
  const loaded = { rules };

  it('loads a broad rule set', () => {
    expect(rules.rules.length).toBeGreaterThan(1000);
    expect(rules.rules.length).toBeLessThan(all.rules.length);
  });

  // Batches keep each test's memory small and name the batch that differs.
  const BATCH = 40;
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += BATCH) batches.push(files.slice(i, i + BATCH));

  // espy's own rules (the analysis's set: most records head-only) and the broad set.
  const sets = [
    ['espy', loadRules(shippedSigmaFiles()).rules],
    ['SigmaHQ', rules],
  ] as const;
  const cases = sets.flatMap(([name, set]) => batches.map((b, i) => [name, i, set, b] as const));
  it.each(cases)(
    '%s rules, batch %i: same scan results both ways',
    async (_name, _i, set, batch) => {
      const { evidence, artefacts } = evtxFilesEvidence(batch);
      const { fast, full } = await scanBothWays(evidence, artefacts, set);
      expect(scanFacts(fast)).toEqual(scanFacts(full));
    },
    300_000,
  );

  it('covers the corpus, and the prefilter leaves records unrendered there', async () => {
    expect(files.length).toBeGreaterThan(400);
    const want = analysisWants(loaded.rules);
    let whole = 0;
    let headOnly = 0;
    for (const f of files.slice(0, 80)) {
      for await (const o of scanEvtxRecords(memorySource(readFileSync(f)), { includeRecovered: true, want })) {
        if (o.ok && o.record.event) whole++;
        else if (o.ok) headOnly++;
      }
    }
    expect(whole).toBeGreaterThan(0);
    expect(headOnly).toBeGreaterThan(1000);
  });
});
