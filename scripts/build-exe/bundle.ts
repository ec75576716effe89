import { build, type Metafile, type Plugin } from 'esbuild';
import { join } from 'node:path';

/**
 * esbuild: entry.ts → ONE CommonJS file for Node 22 (a SEA's `main` may `require` only
 * built-in modules, so every dependency is bundled). The sources are ESM and read
 * `import.meta.url` / `import.meta.dirname` / `import.meta.filename` (cli/assets.ts); in the
 * CommonJS output these become values derived from `__filename`, which inside a SEA is the
 * executable's path. Deterministic: no source maps, no timestamps, paths relative to the
 * repository root.
 */

/** The banner defining what `import.meta.*` is replaced with. */
const IMPORT_META_SHIM = 'var __espyImportMetaUrl = require("node:url").pathToFileURL(__filename).href;\n' + 'var __espyImportMetaDirname = require("node:path").dirname(__filename);';

/** Repo-relative path of the SEA-aware `node:worker_threads` (see that file). */
export const WORKER_THREADS_SHIM = 'scripts/build-exe/sea-worker-threads.ts';

/** Routes every `node:worker_threads` import except the shim's own to the shim. */
function seaWorkerThreads(repoRoot: string): Plugin {
  const shim = join(repoRoot, ...WORKER_THREADS_SHIM.split('/'));
  return {
    name: 'espy-sea-worker-threads',
    setup(b) {
      b.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
    },
  };
}

export const DEFAULT_ENTRY = 'scripts/build-exe/entry.ts';

export interface BundleResult {
  code: Uint8Array;
  /** Repo-relative paths of every bundled input (sources and node_modules files). */
  inputs: string[];
  warnings: string[];
}

/** Bundles `entry` (repo-relative; default the CLI entry) into one CommonJS file. */
export async function bundleCli(repoRoot: string, entry = DEFAULT_ENTRY): Promise<BundleResult> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, ...entry.split('/'))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    write: false,
    outfile: 'espy.cjs',
    sourcemap: false,
    minify: false,
    legalComments: 'eof',
    charset: 'utf8',
    metafile: true,
    logLevel: 'silent',
    define: {
      'import.meta.url': '__espyImportMetaUrl',
      'import.meta.dirname': '__espyImportMetaDirname',
      'import.meta.filename': '__filename',
    },
    banner: { js: IMPORT_META_SHIM },
    plugins: [seaWorkerThreads(repoRoot)],
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('espy.cjs'));
  if (!out) throw new Error('esbuild produced no espy.cjs');
  const meta: Metafile = result.metafile;
  return {
    code: out.contents,
    inputs: Object.keys(meta.inputs)
      .filter((k) => !k.includes(':'))
      .sort(),
    warnings: result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`),
  };
}
