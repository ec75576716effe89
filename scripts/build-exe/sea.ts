import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSET_INDEX_KEY, type AssetPlan } from './assets.js';

/**
 * The SEA preparation blob, made by running the pinned Linux node binary (the SAME version
 * as both base binaries: a blob from another Node version crashes the executable with
 * SIGSEGV and no message) with `--experimental-sea-config`.
 */

/** The bundle's name inside the executable (shown in stack traces). */
export const MAIN_NAME = 'espy.cjs';
export const BLOB_NAME = 'sea-prep.blob';

/** The sea-config.json object (keys in a fixed order, assets sorted). */
export function seaConfig(mainPath: string, blobPath: string, assets: AssetPlan, indexPath: string): Record<string, unknown> {
  const assetMap: Record<string, string> = {};
  for (const [key, path] of [...assets.files, [ASSET_INDEX_KEY, indexPath] as [string, string]].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
  )) {
    assetMap[key] = path;
  }
  return {
    main: mainPath,
    output: blobPath,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    // NODE_OPTIONS (and any execArgv extension) is ignored: on a compromised host it must
    // not be able to inject code into the collector. Supported since Node 22.20 / 24.6.
    execArgvExtension: 'none',
    assets: assetMap,
  };
}

/** Writes bundle, asset index and sea-config into `workDir`, runs node, returns the blob. */
export function makeSeaBlob(linuxNode: string, workDir: string, bundle: Uint8Array, assets: AssetPlan): Uint8Array {
  const mainPath = join(workDir, MAIN_NAME);
  const blobPath = join(workDir, BLOB_NAME);
  const indexPath = join(workDir, ASSET_INDEX_KEY);
  const configPath = join(workDir, 'sea-config.json');
  writeFileSync(mainPath, bundle);
  writeFileSync(indexPath, assets.index);
  // main and output relative to workDir: Node keeps the main path in the blob (it names the
  // script in stack traces), and a temp folder name there would break reproducibility.
  writeFileSync(configPath, `${JSON.stringify(seaConfig(MAIN_NAME, BLOB_NAME, assets, indexPath), null, 2)}\n`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' };
  const r = spawnSync(linuxNode, ['--experimental-sea-config', configPath], { cwd: workDir, env, encoding: 'utf8' });
  if (r.error) throw new Error(`running ${linuxNode}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`node --experimental-sea-config failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return readFileSync(blobPath);
}
