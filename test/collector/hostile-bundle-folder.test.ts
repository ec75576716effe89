/**
 * An extracted bundle built to be walked forever: folders nested past the depth limit are
 * counted in one refused row, never silently dropped.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_FOLDER_DEPTH, openBundle } from '../../collector/bundle-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'espy-deep-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an extracted bundle nested too deep', () => {
  it('lists what is within the depth limit and names what is not in a refused row', async () => {
    let p = join(dir, 'files');
    for (let i = 0; i < MAX_FOLDER_DEPTH + 5; i++) {
      writeFileSync(join(dirMade(p), `level${i}.txt`), String(i));
      p = join(p, 'd');
    }
    writeFileSync(join(dir, 'manifest.json'), '{}');
    const b = await openBundle(dir);
    try {
      expect(b.entries.has('manifest.json')).toBe(true);
      expect(b.entries.has(`files/${'d/'.repeat(MAX_FOLDER_DEPTH - 1)}level${MAX_FOLDER_DEPTH - 1}.txt`)).toBe(true);
      expect([...b.entries.keys()].some((n) => n.endsWith(`level${MAX_FOLDER_DEPTH}.txt`))).toBe(false);
      expect(b.refused).toEqual([{ name: '(1 folders not read)', reason: `deeper than ${MAX_FOLDER_DEPTH} levels` }]);
    } finally {
      await b.close();
    }
  });
});

function dirMade(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}
