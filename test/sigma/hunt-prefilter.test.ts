import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Hunter, loadRules, type HuntRow } from '../../detection/sigma/index.js';
import { memorySource } from '../../parsers/common/byte-source.js';
import { readEvtxRecords, scanEvtxRecords } from '../../parsers/evtx/index.js';
import { SAMPLES } from '../support/paths.js';
import { shippedSigmaFiles } from '../support/scan-compare.js';

const logs = (host: string): string[] => {
  const dir = join(SAMPLES, host, 'Windows', 'System32', 'winevt', 'Logs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.evtx'))
    .map((f) => join(dir, f));
};

async function hunt(files: string[], prefilter: boolean): Promise<{ rows: HuntRow[]; events: number }> {
  const hunter = new Hunter(loadRules(shippedSigmaFiles()).rules);
  const rows: HuntRow[] = [];
  for (const f of files) {
    const src = memorySource(readFileSync(f));
    if (prefilter) {
      for await (const o of scanEvtxRecords(src, { want: (h) => hunter.wants(h) })) {
        if (o.ok && o.record.event) rows.push(...hunter.push({ event: o.record.event, file: f, recordId: o.record.recordId }));
        else if (o.ok) hunter.pass();
      }
    } else {
      for await (const o of readEvtxRecords(src)) if (o.ok) rows.push(...hunter.push({ event: o.record.event, file: f, recordId: o.record.recordId }));
    }
  }
  rows.push(...hunter.finish());
  return { rows, events: hunter.stats.events };
}

describe('hunt with the EVTX prefilter', () => {
  it.each(['host-maggie', 'host-renamed'])('%s: the same rows and event count as rendering every record', async (host) => {
    const fast = await hunt(logs(host), true);
    const full = await hunt(logs(host), false);
    expect(full.rows.length).toBeGreaterThan(0);
    expect(fast).toEqual(full);
  });
});
