/**
 * `npm run samples` is deterministic and the committed samples are its output: regenerate in
 * memory (the same pure function the script writes out) twice, compare bytes with each other
 * and with every file under samples/, and check no stale file lingers there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSamples } from '../../scripts/samples/build-samples.js';
import { REPO_ROOT, SAMPLES } from '../support/paths.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function loadDlls(): Map<string, Uint8Array> {
  const dir = join(REPO_ROOT, 'scripts', 'samples', 'dlls', 'out');
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.dll')).sort().map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
}

describe('npm run samples', () => {
  it('produces identical bytes twice and matches the committed samples/', () => {
    const a = buildSamples(loadDlls());
    const b = buildSamples(loadDlls());
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [p, bytes] of a) expect(Buffer.from(bytes).equals(Buffer.from(b.get(p)!)), p).toBe(true);

    const committed = walk(SAMPLES).map((p) => relative(SAMPLES, p).split('\\').join('/')).sort();
    expect(committed).toEqual([...a.keys()].sort());
    for (const [p, bytes] of a) {
      expect(Buffer.from(bytes).equals(readFileSync(join(SAMPLES, p))), `${p} differs from a fresh generation: run npm run samples`).toBe(true);
    }
  });

  it('the script itself (tsx scripts/samples/generate.ts --out <temp>) writes the committed bytes', () => {
    const out = mkdtempSync(join(tmpdir(), 'espy-samples-'));
    try {
      execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO_ROOT, 'scripts', 'samples', 'generate.ts'), '--out', out], { stdio: 'pipe', timeout: 120_000 });
      const written = walk(out).map((p) => relative(out, p).split('\\').join('/')).sort();
      const committed = walk(SAMPLES).map((p) => relative(SAMPLES, p).split('\\').join('/')).sort();
      expect(written).toEqual(committed);
      for (const f of written) expect(readFileSync(join(out, f)).equals(readFileSync(join(SAMPLES, f))), f).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('PROVENANCE.md lists every file with its sha256', () => {
    const prov = readFileSync(join(SAMPLES, 'PROVENANCE.md'), 'utf8');
    const files = walk(SAMPLES).map((p) => relative(SAMPLES, p).split('\\').join('/')).filter((p) => p !== 'PROVENANCE.md' && p !== 'README.md');
    for (const f of files) expect(prov, f).toContain(`| \`${f}\` |`);
  });
});
