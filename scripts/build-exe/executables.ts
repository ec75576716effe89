import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { planAssets } from './assets.js';
import { bundleCli } from './bundle.js';
import { nodeBinary, sha256Hex } from './cache.js';
import { NODE_VERSION, OUTPUT_NAMES, WORKER_BUNDLES, type TargetName } from './config.js';
import { makeLinuxExe, makeWindowsExe } from './inject.js';
import { BLOB_NAME, makeSeaBlob } from './sea.js';

/**
 * `npm run build:exe`: bundle → assets → SEA blob (pinned Linux node) → inject into the
 * pinned Linux and Windows base binaries. Only the npm registry is used (once, to fill the
 * cache); same inputs give the same bytes.
 */

export interface BuildOptions {
  repoRoot: string;
  outDir: string;
  cacheDir: string;
  targets: readonly TargetName[];
  /** Repo-relative entry file; default scripts/build-exe/entry.ts (test-exe builds a probe). */
  entry?: string;
  log: (line: string) => void;
}

export interface BuiltExe {
  target: TargetName;
  path: string;
  bytes: number;
  sha256: string;
}

export interface BuildReport {
  nodeVersion: string;
  bundleBytes: number;
  bundleSha256: string;
  /** sha256 over every bundled input and asset (path and content): equal inputs, equal digest. */
  inputsSha256: string;
  blobBytes: number;
  assetKeys: string[];
  warnings: string[];
  outputs: BuiltExe[];
  removedSignatureBytes: number;
  seconds: number;
}

function elapsed(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function inputsDigest(repoRoot: string, inputs: readonly string[], assets: readonly [string, string][]): string {
  const h = createHash('sha256');
  const files = [...inputs.map((k): [string, string] => [k, join(repoRoot, ...k.split('/'))]), ...assets];
  for (const [key, path] of files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    h.update(`${key}\0${sha256Hex(readFileSync(path))}\n`);
  }
  return h.digest('hex');
}

export function defaultCacheDir(repoRoot: string, env: NodeJS.ProcessEnv): string {
  return env.ESPY_EXE_CACHE ? resolve(env.ESPY_EXE_CACHE) : join(repoRoot, 'node_modules', '.cache', 'espy-exe');
}

export async function buildExecutables(opts: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the executables are built on Linux x64 (the SEA blob is made by the pinned Linux node); this is ${process.platform}-${process.arch}`);
  }
  mkdirSync(opts.cacheDir, { recursive: true });
  mkdirSync(opts.outDir, { recursive: true });
  // The Linux binary is always needed: it makes the blob.
  const linuxNode = nodeBinary('linux', opts.cacheDir, opts.log);
  const winNode = opts.targets.includes('win') ? nodeBinary('win', opts.cacheDir, opts.log) : undefined;

  opts.log('bundling cli/main.ts with esbuild (CommonJS, node22)');
  const bundle = await bundleCli(opts.repoRoot, opts.entry);
  const workers = await Promise.all(WORKER_BUNDLES.map(async (w) => ({ key: w.assetKey, result: await bundleCli(opts.repoRoot, w.entry) })));
  const allInputs = [...new Set([...bundle.inputs, ...workers.flatMap((w) => w.result.inputs)])].sort();
  const assets = planAssets(opts.repoRoot, allInputs);
  opts.log(`${bundle.code.byteLength} bytes of JavaScript, ${assets.files.length} assets`);

  const work = mkdtempSync(join(tmpdir(), 'espy-exe-'));
  try {
    opts.log(`making the SEA blob with the pinned Linux node (${elapsed(started)})`);
    const blob = makeSeaBlob(
      linuxNode,
      work,
      bundle.code,
      assets,
      workers.map((w) => ({ key: w.key, bytes: w.result.code })),
    );
    const blobPath = join(work, BLOB_NAME);
    let removedSignatureBytes = 0;
    opts.log(`injecting into ${opts.targets.join(' and ')} node ${NODE_VERSION}, in parallel (${elapsed(started)})`);
    const outputs = await Promise.all(
      opts.targets.map(async (target): Promise<BuiltExe> => {
        const out = join(opts.outDir, OUTPUT_NAMES[target]);
        if (target === 'linux') await makeLinuxExe(linuxNode, blobPath, out);
        else if (winNode) removedSignatureBytes = (await makeWindowsExe(winNode, blobPath, out)).removedSignatureBytes;
        opts.log(`wrote ${out} (${elapsed(started)})`);
        return { target, path: out, bytes: statSync(out).size, sha256: sha256Hex(readFileSync(out)) };
      }),
    );
    return {
      nodeVersion: NODE_VERSION,
      bundleBytes: bundle.code.byteLength,
      bundleSha256: sha256Hex(bundle.code),
      inputsSha256: inputsDigest(opts.repoRoot, allInputs, assets.files),
      blobBytes: blob.byteLength,
      assetKeys: assets.files.map(([k]) => k),
      warnings: [...bundle.warnings, ...workers.flatMap((w) => w.result.warnings.map((x) => `${w.key}: ${x}`))],
      outputs,
      removedSignatureBytes,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
