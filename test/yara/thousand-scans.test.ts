import { describe, expect, it } from 'vitest';
import { createYaraEngine } from '../../detection/yara/index.js';
import { IDLE_RETIRE_MS, MAX_RUNS_PER_WORKER } from '../../detection/yara/limits.js';

/**
 * libyara-wasm leaks ~11 MB per run and fails or silently stops matching after ~185 runs in
 * one module. The engine replaces its worker every MAX_RUNS_PER_WORKER runs: 1,000
 * consecutive scans must all match, at the right offset.
 */
describe('YARA: 1,000 consecutive scans', () => {
  it('every scan matches, at the offset where the needle was put', async () => {
    const engine = createYaraEngine();
    try {
      const c = await engine.compile([{ name: 'needle.yar', text: 'rule needle { strings: $n = "espy-needle" condition: $n }' }]);
      const needle = new TextEncoder().encode('espy-needle');
      const buf = new Uint8Array(16 * 1024);
      const misses: number[] = [];
      for (let i = 0; i < 1000; i++) {
        buf.fill(0);
        const at = (i * 37) % (buf.byteLength - needle.byteLength);
        buf.set(needle, at);
        const r = await c.scan(buf, { timeoutMs: 60_000, maxMatches: 10 });
        if (r.hits.length !== 1 || r.hits[0]?.strings[0]?.offset !== at) misses.push(i);
      }
      expect(misses).toEqual([]);
      // 1,001 runs (1 compile check + 1,000 scans), at most MAX_RUNS_PER_WORKER runs per worker.
      expect(engine.workersStarted).toBeGreaterThanOrEqual(Math.ceil(1001 / MAX_RUNS_PER_WORKER));
    } finally {
      await engine.close();
    }
  }, 600_000);

  it('an idle worker is ended and the next scan starts one that still matches', async () => {
    const engine = createYaraEngine();
    try {
      const c = await engine.compile([{ name: 'needle.yar', text: 'rule needle { strings: $n = "espy-needle" condition: $n }' }]);
      const buf = new TextEncoder().encode('....espy-needle....');
      expect((await c.scan(buf, { timeoutMs: 60_000, maxMatches: 10 })).hits).toHaveLength(1);
      const before = engine.workersStarted;
      // Back to back: the same worker.
      expect((await c.scan(buf, { timeoutMs: 60_000, maxMatches: 10 })).hits).toHaveLength(1);
      expect(engine.workersStarted).toBe(before);
      await new Promise((r) => setTimeout(r, IDLE_RETIRE_MS * 3));
      const r = await c.scan(buf, { timeoutMs: 60_000, maxMatches: 10 });
      expect(r.hits[0]?.strings[0]?.offset).toBe(4);
      expect(engine.workersStarted).toBe(before + 1);
    } finally {
      await engine.close();
    }
  }, 60_000);
});
