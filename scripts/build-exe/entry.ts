// The executable's entry point: esbuild bundles this file (and through it cli/main.ts and
// everything it imports) into one CommonJS script that Node's SEA runs as `main`.
//
// The same bundle may also be the code of a worker thread (sea-worker-threads.ts starts a
// worker asked for on the bundle's own file from this source). Worker modules serve from
// their import-time code (cli/commands/evtx-worker.ts: `runEvtxWorkerIfMarked()`); a worker
// never runs the CLI.
import { isMainThread } from 'node:worker_threads';
import { main } from '../../cli/main.js';

if (isMainThread) void main(process.argv);
