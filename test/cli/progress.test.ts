/**
 * Progress counts bytes: the collection as the files stream into the bundle, the analysis
 * as the event logs are read, so one big Security.evtx moves the bar instead of holding it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProgressBytes } from '../../cli/context.js';
import { collect } from '../../collector/collect/index.js';
import { openFolderEvidence } from '../../collector/evidence-folder.js';
import { scanEvents } from '../../detection/analyze/scan-events.js';
import { loadRules } from '../../detection/sigma/index.js';
import { baseOptions, fakeClassify, hostTree } from '../collector/fixtures.js';
import { testdir } from '../collector/testdir.js';
import { SAMPLES } from '../support/paths.js';

/** Each step no smaller than the one before, and the last one at the total. */
function expectRisingTo(done: readonly number[], total: number): void {
  expect(done.length).toBeGreaterThan(1);
  for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1] ?? 0);
  expect(done[done.length - 1]).toBe(total);
}

describe('progress by bytes', () => {
  it('collection: bytes of the files as they stream, up to the bytes collected', async () => {
    const t = testdir(hostTree());
    const out = mkdtempSync(join(tmpdir(), 'espy-progress-'));
    try {
      const ticks: { done: number; total: number }[] = [];
      const hits: { done: number; total: number }[] = [];
      const r = await collect(
        baseOptions(t.dir, out, {
          classify: fakeClassify,
          progress: (phase, done, total, unit) => {
            if (phase === 'collecting files') {
              expect(unit).toBe('bytes');
              ticks.push({ done, total });
            }
            // Files the sweep keeps are copied after it, as a phase of their own.
            if (phase === 'collecting sweep hits') hits.push({ done, total });
          },
        }),
      );
      const total = ticks[0]?.total ?? -1;
      expect(ticks.every((x) => x.total === total)).toBe(true);
      const hitTotal = hits[0]?.total ?? 0;
      expect(hits.every((x) => x.total === hitTotal)).toBe(true);
      expect(hitTotal).toBeGreaterThan(0);
      const copied = r.manifest.files.filter((f) => !f.error).reduce((n, f) => n + f.size, 0);
      expect(total + hitTotal).toBe(copied);
      // Ticks inside files too (not only between them): more ticks than files.
      expect(ticks.length).toBeGreaterThan(r.manifest.files.length);
      expectRisingTo(
        ticks.map((x) => x.done),
        total,
      );
    } finally {
      t.cleanup();
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('analysis: bytes of the event logs read and the records so far', async () => {
    const evidence = await openFolderEvidence(join(SAMPLES, 'host-maggie'));
    try {
      const artefacts = await evidence.list();
      const logBytes = artefacts.filter((a) => a.kind === 'evtx' || a.kind === 'errorlog').reduce((n, a) => n + a.size, 0);
      const ticks: { done: number; total: number; records: number }[] = [];
      await scanEvents(evidence, artefacts, { rules: loadRules([]).rules, onBytes: (done, total, records) => ticks.push({ done, total, records }) });
      expect(ticks.every((x) => x.total === logBytes)).toBe(true);
      expectRisingTo(
        ticks.map((x) => x.done),
        logBytes,
      );
      expect(ticks[ticks.length - 1]?.records).toBeGreaterThan(0);
    } finally {
      await evidence.close();
    }
  });

  it.each([
    [10, '10 B'],
    [14_336, '14.0 KiB'],
    [1_073_741_824, '1.0 GiB'],
    [1_395_864_371, '1.3 GiB'],
  ])('formats %i bytes as %s', (n, want) => {
    expect(formatProgressBytes(n)).toBe(want);
  });
});
