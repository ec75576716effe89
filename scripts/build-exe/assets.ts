import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ASSET_EXCLUDE, ASSET_ROOTS } from './config.js';

/**
 * The SEA assets: data files read at run time through `cli/assets.ts` (rule files, report
 * templates, data tables, any `.wasm`), keyed by repo-relative POSIX path, sorted, plus
 * `asset-index.json` listing every key. Symbolic links are not followed.
 */

export const ASSET_INDEX_KEY = 'asset-index.json';
const MAX_DEPTH = 12;

function walk(repoRoot: string, rel: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw new Error(`asset folder too deep: ${rel}`);
  for (const name of readdirSync(join(repoRoot, rel)).sort()) {
    if (ASSET_EXCLUDE.test(name)) continue;
    const key = `${rel}/${name}`;
    const st = lstatSync(join(repoRoot, key));
    if (st.isDirectory()) walk(repoRoot, key, depth + 1, out);
    else if (st.isFile()) out.push(key);
  }
}

/** `.wasm` files of the packages the bundle pulled in (esbuild cannot inline a runtime file read). */
function packageWasm(repoRoot: string, bundledInputs: readonly string[]): string[] {
  const pkgDirs = new Set<string>();
  for (const input of bundledInputs) {
    const m = /^(node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) pkgDirs.add(m[1]);
  }
  const out: string[] = [];
  for (const dir of [...pkgDirs].sort()) {
    const found: string[] = [];
    walk(repoRoot, dir, 0, found);
    out.push(...found.filter((k) => k.endsWith('.wasm')));
  }
  return out;
}

export interface AssetPlan {
  /** key → absolute path on disk, keys sorted. */
  files: [string, string][];
  /** The bytes of `asset-index.json`. */
  index: Uint8Array;
}

export function planAssets(repoRoot: string, bundledInputs: readonly string[]): AssetPlan {
  const keys: string[] = [];
  for (const root of ASSET_ROOTS) {
    if (existsSync(join(repoRoot, root))) walk(repoRoot, root, 0, keys);
  }
  keys.push(...packageWasm(repoRoot, bundledInputs));
  const sorted = [...new Set(keys)].sort();
  return {
    files: sorted.map((k) => [k, join(repoRoot, ...k.split('/'))]),
    index: new TextEncoder().encode(`${JSON.stringify(sorted, null, 1)}\n`),
  };
}
