import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEA_BUNDLE_KEY } from '../../cli/assets.js';
import { ASSET_INDEX_KEY, type AssetPlan } from './assets.js';

/**
 * The SEA preparation blob, made by running the pinned Linux node binary (the SAME version
 * as both base binaries: a blob from another Node version crashes the executable with
 * SIGSEGV and no message) with `--experimental-sea-config`.
 */

/** The bundle's name inside the executable (Node keeps it in the blob: stack traces show it). */
export const MAIN_NAME = 'espy.cjs';
export const BLOB_NAME = 'sea-prep.blob';

function byKey(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The sea-config.json object: fixed key order, assets sorted by key. */
export function seaConfig(assets: readonly [string, string][]): Record<string, unknown> {
  return {
    main: MAIN_NAME,
    output: BLOB_NAME,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    // NODE_OPTIONS (and any other execArgv extension) is ignored: on a compromised host it
    // must not be able to inject code into the collector (nodejs/node#59560; present in the
    // pinned 22.23.3, and test:exe proves it with NODE_OPTIONS=--require/--import).
    execArgvExtension: 'none',
    assets: Object.fromEntries([...assets].sort(byKey)),
  };
}

/**
 * Writes the bundle, the asset index, generated assets (worker bundles) and sea-config.json
 * into `workDir` and runs the pinned
 * node there; returns the blob (also left at `workDir/BLOB_NAME`). `main` and `output` are
 * relative to workDir so that no temp folder name lands in the blob (reproducibility).
 */
export function makeSeaBlob(linuxNode: string, workDir: string, bundle: Uint8Array, assets: AssetPlan, generated: readonly { key: string; bytes: Uint8Array }[]): Uint8Array {
  const mainPath = join(workDir, MAIN_NAME);
  const indexPath = join(workDir, ASSET_INDEX_KEY);
  const configPath = join(workDir, 'sea-config.json');
  writeFileSync(mainPath, bundle);
  writeFileSync(indexPath, assets.index);
  const all: [string, string][] = [...assets.files, [ASSET_INDEX_KEY, indexPath], [SEA_BUNDLE_KEY, mainPath]];
  for (const g of generated) {
    if (all.some(([k]) => k === g.key)) throw new Error(`generated asset ${g.key} collides with another asset`);
    const path = join(workDir, `generated-${all.length}.bin`);
    writeFileSync(path, g.bytes);
    all.push([g.key, path]);
  }
  writeFileSync(configPath, `${JSON.stringify(seaConfig(all), null, 2)}\n`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' };
  const r = spawnSync(linuxNode, ['--experimental-sea-config', configPath], { cwd: workDir, env, encoding: 'utf8' });
  if (r.error) throw new Error(`running ${linuxNode}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`node --experimental-sea-config failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return readFileSync(join(workDir, BLOB_NAME));
}
