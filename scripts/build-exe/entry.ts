// The executable's entry point: esbuild bundles this file (and through it cli/main.ts and
// everything it imports) into one CommonJS script that Node's SEA runs as `main`.
import { main } from '../../cli/main.js';

void main(process.argv);
