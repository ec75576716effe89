// A probe executable for `npm run test:exe`: built by the same pipeline as espy's, it reports
// what cli/assets.ts sees inside a SEA (asset keys and the sha256 of every asset's bytes) so
// the test can compare them with the source tree.
import { createHash } from 'node:crypto';
import { isSea, listAssets, readAsset, readAssetText } from '../../cli/assets.js';

const keys = listAssets('');
const assets: Record<string, string> = {};
for (const k of keys) assets[k] = createHash('sha256').update(readAsset(k)).digest('hex');
const firstText = keys[0] === undefined ? '' : readAssetText(keys[0]);
process.stdout.write(`${JSON.stringify({ isSea: isSea(), node: process.version, execArgv: process.execArgv, argv: process.argv.slice(2), assets, firstTextLength: firstText.length })}\n`);
