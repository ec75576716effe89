import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Shipped data files (report templates, rules, wasm): SEA assets inside the executable
 * (`node:sea` getAsset, keys are repo-relative POSIX paths listed in the asset
 * `asset-index.json`), read from the source tree otherwise.
 */

interface SeaModule {
  isSea(): boolean;
  getAsset(key: string, encoding?: string): ArrayBuffer | string;
}

function loadSea(): SeaModule | undefined {
  try {
    const req = createRequire(import.meta.url);
    const sea = req('node:sea') as SeaModule;
    return sea.isSea() ? sea : undefined;
  } catch {
    return undefined; // Node 20 has no node:sea in some builds; not a SEA then.
  }
}

let seaCache: SeaModule | null | undefined;
function sea(): SeaModule | undefined {
  if (seaCache === undefined) seaCache = loadSea() ?? null;
  return seaCache ?? undefined;
}

/** The source tree's root (the folder holding espy's package.json), when not a SEA. */
export function sourceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'espy') return dir;
      } catch {
        // keep looking
      }
    }
    dir = dirname(dir);
  }
  throw new Error('espy source root not found (not a SEA and no package.json above cli/)');
}

export function isSea(): boolean {
  return sea() !== undefined;
}

/** Bytes of a shipped asset, by repo-relative POSIX path (`rules/yara/espy.yar`). */
export function readAsset(key: string): Uint8Array {
  const s = sea();
  if (s) return new Uint8Array(s.getAsset(key) as ArrayBuffer);
  return readFileSync(join(sourceRoot(), ...key.split('/')));
}

export function readAssetText(key: string): string {
  return new TextDecoder().decode(readAsset(key));
}

/** Every asset key under a folder prefix (`rules/sigma/`), sorted. */
export function listAssets(prefix: string): string[] {
  const s = sea();
  if (s) {
    const index = JSON.parse(s.getAsset('asset-index.json', 'utf8') as string) as string[];
    return index.filter((k) => k.startsWith(prefix)).sort();
  }
  const root = sourceRoot();
  const base = resolve(root, ...prefix.split('/').filter(Boolean));
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 8 || !existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, depth + 1);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(base, 0);
  return out.sort();
}

/** Asset key of the executable's own bundled JavaScript (scripts/build-exe adds it). */
export const SEA_BUNDLE_KEY = 'espy.cjs';

/**
 * Inside the executable: the source text of the single-file bundle, for worker threads. A SEA
 * has no script file a worker could load by path (`__filename` is the executable itself, and
 * `new Worker(process.execPath)` fails with a SyntaxError); start the worker with
 * `new Worker(seaBundleSource(), { eval: true, workerData })` instead: the bundle's entry sees
 * the workerData marker and runs the worker loop. Undefined when not running as a SEA.
 */
export function seaBundleSource(): string | undefined {
  const s = sea();
  return s ? (s.getAsset(SEA_BUNDLE_KEY, 'utf8') as string) : undefined;
}
