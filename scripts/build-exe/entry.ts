// The executable's entry point: esbuild bundles this file (and through it cli/main.ts and
// everything it imports) into one CommonJS script that Node's SEA runs as `main`.
//
// The same bundle is also the code of the EVTX worker threads (cli/commands/evtx-worker.ts:
// a worker loads "this file" with a marker in workerData); in a worker the marker is seen
// here and the worker loop starts instead of the CLI.
import { main } from '../../cli/main.js';
import { runEvtxWorkerIfMarked } from '../../cli/commands/evtx-worker.js';

if (!runEvtxWorkerIfMarked()) void main(process.argv);
