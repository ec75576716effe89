import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

/**
 * A 256 MiB sealed bundle (sparse evidence, stored uncompressed) is written and verified by a
 * child process; its peak RSS is printed and must not grow with the data. The 2 GiB run is
 * `npm run test:seal-2g` (disk and time too large for every run).
 */
describe('sealed bundles: memory', () => {
  it('256 MiB: seal then verify with a bounded peak RSS', () => {
    const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'test/collector/seal/memory-probe.ts'), '256M'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    console.log(`sealed 256 MiB bundle: ${line}`);
    expect(r.stderr).toBe('');
    const o = JSON.parse(line) as { sealedBytes: number; verifyOk: boolean; growthMiB: number; boundMiB: number; peakRssMiB: Record<string, number> };
    expect(o.sealedBytes).toBeGreaterThan(256 * 1024 * 1024);
    expect(o.verifyOk).toBe(true);
    expect(o.growthMiB).toBeLessThanOrEqual(o.boundMiB);
    expect(r.status).toBe(0);
  }, 320_000);
});
