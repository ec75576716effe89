/**
 * `npm run samples`: regenerates samples/ (host-maggie, host-clean, host-renamed, PROVENANCE.md,
 * README.md) from the stories in scripts/samples/hosts and the committed DLLs in
 * scripts/samples/dlls/out. Deterministic: no clock, no randomness without a seed.
 *   tsx scripts/samples/generate.ts [--out <dir>]   (default: <repo>/samples)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSamples } from './build-samples.js';

const REPO = resolve(import.meta.dirname, '..', '..');

function main(argv: string[]): number {
  const i = argv.indexOf('--out');
  const out = i >= 0 && argv[i + 1] ? resolve(argv[i + 1]!) : join(REPO, 'samples');
  const dllDir = join(import.meta.dirname, 'dlls', 'out');
  const dlls = new Map<string, Uint8Array>();
  for (const f of readdirSync(dllDir).sort()) if (f.endsWith('.dll')) dlls.set(f, new Uint8Array(readFileSync(join(dllDir, f))));
  const files = buildSamples(dlls);
  for (const host of new Set([...files.keys()].map((p) => p.split('/')[0]!))) {
    if (host.startsWith('host-')) rmSync(join(out, host), { recursive: true, force: true });
  }
  for (const [rel, bytes] of files) {
    const p = join(out, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
  }
  process.stdout.write(`wrote ${files.size} files to ${out}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
