#!/usr/bin/env node
// Entry point for `npx espy` from a checkout: runs the compiled CLI (npm ci's prepare builds it).
import { main } from '../build/cli/main.js';

await main(process.argv);
