import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as threads from 'node:worker_threads';
import { seaBundleSource } from '../../cli/assets.js';

/**
 * `node:worker_threads` as the executable's bundle sees it (bundle.ts routes every import of
 * it here). The code base starts workers on its own file (`new Worker(__filename, { workerData
 * })`, cli/commands/evtx-worker.ts): in a single-file bundle that is the bundle, but inside a
 * SEA `__filename` is the executable itself, and `new Worker(process.execPath)` fails with a
 * SyntaxError. Here such a worker is started from the bundle's source text instead (the
 * `espy.cjs` asset, `eval: true`); the bundle's entry then sees the workerData marker and runs
 * the worker loop. Every other use (eval'd code, other files) passes through unchanged.
 */

export * from 'node:worker_threads';

function isExecutableItself(filename: string | URL): boolean {
  let path: string;
  try {
    path = typeof filename === 'string' ? (filename.startsWith('file:') ? fileURLToPath(filename) : filename) : fileURLToPath(filename);
  } catch {
    return false;
  }
  return resolve(path) === resolve(process.execPath);
}

function redirect(filename: string | URL, options: threads.WorkerOptions | undefined): [string | URL, threads.WorkerOptions | undefined] {
  if (options?.eval || !isExecutableItself(filename)) return [filename, options];
  const source = seaBundleSource();
  if (source === undefined) return [filename, options];
  return [source, { ...options, eval: true }];
}

export class Worker extends threads.Worker {
  constructor(filename: string | URL, options?: threads.WorkerOptions) {
    super(...redirect(filename, options));
  }
}
