import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../collector/collect/index.js';
import { openEvidence, verifyBundle } from '../../collector/index.js';
import { baseOptions, fakeClassify, hostTree } from './fixtures.js';
import { testdir } from './testdir.js';

const dir = mkdtempSync(join(tmpdir(), 'espy-hostile-'));
let bundle: Buffer;
let sidecar = '';
let cleanupTree: () => void = () => undefined;
beforeAll(async () => {
  const t = testdir(hostTree());
  cleanupTree = t.cleanup;
  const r = await collect(baseOptions(t.dir, dir, { classify: fakeClassify, level: 0 }));
  bundle = readFileSync(r.bundlePath);
  sidecar = readFileSync(`${r.bundlePath}.sha256`, 'utf8');
});
afterAll(() => {
  cleanupTree();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens, lists, reads every artefact and verifies; returns normally or with an Error, never anything else. */
async function exercise(path: string): Promise<void> {
  try {
    await verifyBundle(path);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
  }
  try {
    const ev = await openEvidence(path);
    try {
      for (const a of await ev.list()) {
        try {
          const s = await ev.open(a);
          await s.read(0, Math.min(s.size, 1 << 20));
          await s.close?.();
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
        }
      }
    } finally {
      await ev.close();
    }
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
  }
}

describe('damaged bundles (flipped, zeroed, truncated bytes)', () => {
  it('verify and openEvidence return or throw an Error; a damaged bundle never verifies clean', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }), fc.option(fc.nat(), { nil: undefined }), async (edits, cut) => {
        const b = Buffer.from(bundle);
        let changed = false;
        for (const e of edits) {
          const i = e.at % b.length;
          if (b[i] !== e.value) changed = true;
          b[i] = e.value;
        }
        const data = cut === undefined ? b : b.subarray(0, cut % b.length);
        if (cut !== undefined && cut % b.length !== b.length) changed = true;
        const p = join(dir, 'damaged.zip');
        writeFileSync(p, data);
        writeFileSync(`${p}.sha256`, sidecar);
        await exercise(p);
        if (changed) {
          const v = await verifyBundle(p).catch(() => undefined);
          if (v) expect(v.ok).toBe(false);
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  }, 120_000);
});
