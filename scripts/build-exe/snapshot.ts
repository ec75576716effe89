import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ASSET_ROOTS } from './config.js';

/**
 * A frozen copy of what the build reads (sources, data, configs; node_modules as hard links),
 * so that the reproducibility check compares two builds of the same inputs even while the
 * working tree is being edited. Build-host only (Linux: `cp -al`).
 */
const SNAPSHOT_ITEMS = [...ASSET_ROOTS, 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'];

export function snapshotTree(repoRoot: string, dest: string): string {
  mkdirSync(dest, { recursive: true });
  for (const item of SNAPSHOT_ITEMS) {
    const from = join(repoRoot, item);
    if (existsSync(from)) cpSync(from, join(dest, item), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  }
  const r = spawnSync('cp', ['-al', join(repoRoot, 'node_modules'), join(dest, 'node_modules')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -al node_modules: ${r.stderr || r.error?.message}`);
  return dest;
}
