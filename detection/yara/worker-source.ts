/**
 * The YARA worker's code, run with `new Worker(code, { eval: true })`: no file path, so it
 * works the same from the source tree, from tsc's build/ and inside the single-file esbuild
 * bundle of the executable. libyara-wasm's factory function arrives as source text in
 * `workerData.factorySource` (the main thread takes it from the bundled module with
 * `Function.prototype.toString`); its wasm binary is inlined as base64 in that source, so
 * nothing is read from disk.
 *
 * Protocol (one request at a time): { id, bytes: Uint8Array, rules: string } →
 *   { id, ok: true, errors: [{ line, message, warning }], matches: [{ rule, strings: [{ id, offset }] }] }
 *   | { id, ok: false, message }
 */
export const YARA_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const factory = new Function('require', '__dirname', '__filename', '_scriptDir', 'return (' + workerData.factorySource + ')')(require, __dirname, __filename, undefined);
const ready = factory();
function vec(v) { const out = []; const n = v.size(); for (let i = 0; i < n; i++) out.push(v.get(i)); return out; }
parentPort.on('message', async (req) => {
  try {
    const m = await ready;
    const r = m.run(req.bytes, req.rules);
    const errors = vec(r.compileErrors).map((e) => ({ line: e.lineNumber, message: String(e.message), warning: Boolean(e.warning) }));
    const matches = vec(r.matchedRules).map((x) => ({
      rule: String(x.ruleName),
      strings: vec(x.resolvedMatches).map((s) => ({ id: String(s.stringIdentifier), offset: Number(s.location) })),
    }));
    parentPort.postMessage({ id: req.id, ok: true, errors, matches });
  } catch (e) {
    parentPort.postMessage({ id: req.id, ok: false, message: String(e && e.message || e) });
  }
});
`;
