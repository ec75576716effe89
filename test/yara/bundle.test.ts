import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { PE_FIXTURES } from '../pe/fixtures.js';
import { PUBLISHED_MAGGIE_RULE } from './support.js';

/**
 * The executable is a single-file esbuild CommonJS bundle: the YARA worker must not load any
 * file by path and libyara-wasm's wasm must come with the code (it is inlined as base64 in the
 * package's JS). Bundle the engine, run it from a folder with no node_modules, scan.
 */
describe('YARA engine inside a single-file CommonJS bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'espy-yara-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles and matches with nothing but the bundle on disk', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { readFileSync } from 'node:fs';
import { createYaraEngine } from ${JSON.stringify(join(REPO_ROOT, 'detection', 'yara', 'index.ts'))};
const e = createYaraEngine();
e.compile([{ name: 'maggie_dcso.yar', text: readFileSync('rule.yar', 'utf8') }])
  .then((c) => c.scan(new Uint8Array(readFileSync('sample.dll')), { timeoutMs: 60000, maxMatches: 100 }))
  .then((r) => { process.stdout.write(JSON.stringify(r.hits.map((h) => [h.rule, h.strings.length]))); return e.close(); });
`,
    );
    const out = join(dir, 'run', 'espy-bundle.cjs');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'silent' });
    copyFileSync(PUBLISHED_MAGGIE_RULE, join(dir, 'run', 'rule.yar'));
    copyFileSync(join(PE_FIXTURES, 'maggie_like.dll'), join(dir, 'run', 'sample.dll'));
    const r = spawnSync(process.execPath, [out], { cwd: join(dir, 'run'), encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '' } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([['maggie_backdoor', 14]]); // 13 indicator strings, opends60.dll twice (string + import), as the yara CLI reports
  });
});
