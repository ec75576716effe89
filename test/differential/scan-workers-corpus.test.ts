import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as ChunkScanModule from '../../detection/analyze/chunk-scan.js';
import type * as EventPrefilterModule from '../../detection/analyze/event-prefilter.js';
import type * as ScanEventsModule from '../../detection/analyze/scan-events.js';
import type * as ScanWorkerModule from '../../detection/analyze/scan-worker.js';
import type * as SigmaModule from '../../detection/sigma/index.js';
import type { RuleFile } from '../../detection/sigma/index.js';
import { REPO_ROOT, requireCorpus } from '../support/paths.js';
import { corpusEvtxFiles, evtxFilesEvidence, scanFacts, shippedSigmaFiles, sigmaFilesUnder } from '../support/scan-compare.js';

/**
 * Event logs parsed by worker threads give the analysis exactly what parsing them on the main
 * thread gives: over every corpus EVTX (damaged files, recovered records, slack), with espy's
 * rules (most records counted from their head only) and with SigmaHQ's Windows rules (most
 * records built whole and sent across). Workers run built JavaScript, so this test loads the
 * build (`npm test` builds first).
 */
const BUILD = join(REPO_ROOT, 'build', 'detection');
const load = async <T>(rel: string): Promise<T> => {
  const file = join(BUILD, rel);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return (await import(pathToFileURL(file).href)) as T;
};

const files = corpusEvtxFiles();

describe('event logs parsed by worker threads, over the EVTX corpus', () => {
  const ruleSets: [string, RuleFile[], string[]][] = [
    ['espy', shippedSigmaFiles(), files],
    ['SigmaHQ', [...shippedSigmaFiles(), ...sigmaFilesUnder(join(requireCorpus('sigma'), 'rules', 'windows'))], files.slice(0, 120)],
  ];
  const BATCH = 60;
  const cases = ruleSets.flatMap(([name, ruleFiles, list]) => {
    const out: [string, number, RuleFile[], string[]][] = [];
    for (let i = 0; i < list.length; i += BATCH) out.push([name, i / BATCH, ruleFiles, list.slice(i, i + BATCH)]);
    return out;
  });

  it.each(cases)(
    '%s rules, batch %i: the same scan on workers as on this thread',
    async (_name, _i, ruleFiles, batch) => {
      const { scanEvents } = await load<typeof ScanEventsModule>('analyze/scan-events.js');
      const { loadRules } = await load<typeof SigmaModule>('sigma/index.js');
      const rules = loadRules(ruleFiles).rules;
      const { evidence, artefacts } = evtxFilesEvidence(batch);
      const here = await scanEvents(evidence, artefacts, { rules });
      const workers = await scanEvents(evidence, artefacts, { rules, ruleFiles, workerMinBytes: 0 });
      expect(scanFacts(workers)).toEqual(scanFacts(here));
    },
    300_000,
  );

  it('starts real workers, whose chunks are those parsed here', async () => {
    const { ScanWorkers } = await load<typeof ScanWorkerModule>('analyze/scan-worker.js');
    const { scanBatch } = await load<typeof ChunkScanModule>('analyze/chunk-scan.js');
    const { analysisWants } = await load<typeof EventPrefilterModule>('analyze/event-prefilter.js');
    const { loadRules } = await load<typeof SigmaModule>('sigma/index.js');
    const ruleFiles = shippedSigmaFiles();
    const workers = ScanWorkers.start(ruleFiles, 2);
    expect(workers).toBeDefined();
    try {
      const big = files.map((f) => readFileSync(f)).find((b) => b.length > 1 << 20) as Buffer;
      const bytes = big.subarray(4096, 4096 + 16 * 65536);
      const start = { chunkIndex: 0, fileOffset: 4096 };
      const there = await (workers as NonNullable<typeof workers>).parse(bytes, start);
      expect(there).toHaveLength(16);
      expect(there).toEqual(scanBatch(bytes, start, analysisWants(loadRules(ruleFiles).rules)));
      // The caller's bytes are copied, never taken: they are still readable.
      expect(bytes.byteLength).toBe(16 * 65536);
      expect(workers?.broken).toBe(false);
    } finally {
      await workers?.close();
    }
    // Gone workers reject what they are given and say so, so the next log is parsed here.
    expect(workers?.broken).toBe(true);
    await expect(workers?.parse(new Uint8Array(65536), { chunkIndex: 0, fileOffset: 4096 })).rejects.toThrow(/closed/);
  });
});
