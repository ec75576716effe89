// `npm run build:exe [-- --out DIR] [--target linux|win]...`: writes dist/espy-linux-x64 and
// dist/espy-win-x64.exe (see docs/executables.md).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_BINARIES, type TargetName } from './config.js';
import { buildExecutables, defaultCacheDir } from './executables.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

async function cli(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'dist' },
      cache: { type: 'string' },
      target: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const targets = (values.target ?? ['linux', 'win']) as TargetName[];
  for (const t of targets) if (!(t in NODE_BINARIES)) throw new Error(`unknown --target ${t} (linux, win)`);
  const report = await buildExecutables({
    repoRoot: REPO_ROOT,
    outDir: resolve(REPO_ROOT, values.out),
    cacheDir: values.cache ? resolve(values.cache) : defaultCacheDir(REPO_ROOT, process.env),
    targets,
    log: (line) => process.stderr.write(`build:exe: ${line}\n`),
  });
  for (const w of report.warnings) process.stderr.write(`build:exe: esbuild warning: ${w}\n`);
  for (const o of report.outputs) {
    process.stdout.write(`${o.path}  ${(o.bytes / 1048576).toFixed(1)} MiB  sha256 ${o.sha256}\n`);
  }
  process.stdout.write(`node ${report.nodeVersion}; bundle ${report.bundleBytes} bytes; blob ${report.blobBytes} bytes; ` + `${report.assetKeys.length} assets; ${report.seconds.toFixed(1)} s\n`);
  return 0;
}

cli().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`build:exe: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
