import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsFromAntiForensics } from '../../detection/analyze/anti-forensics.js';
import type { ArtefactStats } from '../../detection/analyze/inputs.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import { parseErrorlog } from '../../parsers/errorlog/index.js';
import { requireCorpus } from '../support/paths.js';

/** Each folder of real ERRORLOG generations, with each generation's first entry time (as the scan records it). */
function corpusErrorlogSets(): Map<string, ArtefactStats[]> {
  const root = requireCorpus('errorlog');
  const sets = new Map<string, ArtefactStats[]>();
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^ERRORLOG(\.\d+)?$/.test(n)) {
        const parsed = parseErrorlog(new Uint8Array(readFileSync(p)), {});
        const times = parsed.entries
          .map((e) => summarizeEvent(e.event).timestamp)
          .filter(Boolean)
          .sort();
        const rel = relative(root, dir).replace(/\//g, '\\');
        const st: ArtefactStats = {
          artefact: `C:\\corpus\\${rel}\\${n}`,
          kind: 'errorlog',
          label: 'ERRORLOG',
          records: parsed.entries.length,
          failed: 0,
          recovered: 0,
          notes: [],
          eventIds: new Set(),
        };
        if (times[0]) st.first = times[0];
        sets.set(rel, [...(sets.get(rel) ?? []), st]);
      }
    }
  };
  walk(root);
  return sets;
}

describe('ERRORLOG cycling on real logs', () => {
  it('no real ERRORLOG set in the corpus is a burst (one has 4 service restarts within 10 minutes: below 5 in an hour)', () => {
    const sets = corpusErrorlogSets();
    expect(sets.size).toBeGreaterThanOrEqual(7);
    const restarts = sets
      .get('NebrasAlshaghl-DB\\Log')
      ?.map((s) => s.first)
      .sort();
    expect(restarts?.slice(1, 5)).toEqual(['2022-03-22T00:05:57.9800000Z', '2022-03-22T00:08:59.7100000Z', '2022-03-22T00:12:25.0800000Z', '2022-03-22T00:15:16.8600000Z']);
    for (const [dir, stats] of sets) {
      expect(findingsFromAntiForensics({ esps: [], events: [], sql: undefined, dlls: [], stats }), dir).toEqual([]);
    }
  });
});
