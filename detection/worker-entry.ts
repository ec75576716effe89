import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Where a worker thread's code comes from. A module that serves as a worker runs its own file
 * (`new Worker(file, { workerData: { <its mark>: true } })`) and starts its message loop at
 * import time when it sees its mark. That file is:
 * - the module's own file in the ESM build (`node bin/espy.js`: `moduleUrl`, its
 *   `import.meta.url`);
 * - its `__filename` where it has one: the bundle itself in a single-file CommonJS bundle,
 *   whose entry then must not run the CLI inside a worker;
 * - inside a SEA executable, whose `__filename` is the binary, not JavaScript: the module's
 *   own CommonJS bundle, embedded as the asset `assetKey` and started from a string
 *   (`eval: true`).
 * Undefined when there is none (a .ts source run through tsx or vitest: workers do not
 * inherit their loaders on Node 20); the caller then works on one thread.
 */
export type WorkerEntry = { file: string } | { code: string };

function seaAsset(assetKey: string): string | undefined {
  try {
    const req = createRequire(process.execPath);
    const sea = req('node:sea') as { isSea(): boolean; getAsset(key: string, encoding: string): string };
    if (!sea.isSea()) return undefined;
    return sea.getAsset(assetKey, 'utf8');
  } catch {
    return undefined;
  }
}

/** `moduleFile` is the caller's `__filename` where it has one (CommonJS), else undefined. */
export function workerEntry(assetKey: string, moduleUrl: string | undefined, moduleFile: string | undefined): WorkerEntry | undefined {
  const code = seaAsset(assetKey);
  if (code) return { code };
  let file: string | undefined;
  if (moduleFile) file = moduleFile;
  else {
    try {
      file = moduleUrl ? fileURLToPath(moduleUrl) : undefined;
    } catch {
      file = undefined;
    }
  }
  return file && /\.(c|m)?js$/.test(file) && existsSync(file) ? { file } : undefined;
}
