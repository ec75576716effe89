import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from './cache.js';
import { assert, describeRun, runProgram, type CheckRun } from './checks.js';
import { buildExecutables } from './executables.js';

/**
 * SEA assets as cli/assets.ts sees them inside an executable: a probe built by the same
 * pipeline (entry scripts/build-exe/probe-entry.ts, Linux only) lists every asset and hashes
 * its bytes; the keys and hashes must equal the source tree's files.
 */
export async function checkAssets(run: CheckRun, o: { repoRoot: string; cacheDir: string; tmp: string }): Promise<void> {
  await run.check('SEA assets: every rule/template/data file readable in the exe, bytes identical', async () => {
    const outDir = join(o.tmp, 'probe');
    const report = await buildExecutables({
      repoRoot: o.repoRoot,
      outDir,
      cacheDir: o.cacheDir,
      targets: ['linux'],
      entry: 'scripts/build-exe/probe-entry.ts',
      log: () => undefined,
    });
    const exe = report.outputs[0]?.path;
    assert(exe, 'probe not built');
    const r = runProgram(exe, ['a1', '--flag'], { cwd: o.tmp, env: { NODE_OPTIONS: '--max-old-space-size=64 --no-warnings' } });
    assert(r.status === 0, describeRun(r));
    const seen = JSON.parse(r.stdout) as { isSea: boolean; execArgv: string[]; argv: string[]; assets: Record<string, string> };
    assert(seen.isSea, 'cli/assets.ts isSea() is false inside the executable');
    assert(seen.execArgv.length === 0, `execArgv not empty despite NODE_OPTIONS: ${JSON.stringify(seen.execArgv)}`);
    assert(JSON.stringify(seen.argv) === '["a1","--flag"]', `arguments arrived as ${JSON.stringify(seen.argv)}`);
    const expected = report.assetKeys;
    const got = Object.keys(seen.assets);
    assert(JSON.stringify(got) === JSON.stringify(expected), `asset keys differ: exe ${JSON.stringify(got)} vs tree ${JSON.stringify(expected)}`);
    for (const k of expected) {
      const want = sha256Hex(readFileSync(join(o.repoRoot, ...k.split('/'))));
      assert(seen.assets[k] === want, `${k}: exe bytes ${seen.assets[k]} vs tree ${want}`);
    }
    const roots = [...new Set(expected.map((k) => k.split('/')[0]))].join(', ');
    return `${expected.length} assets (${roots}); NODE_OPTIONS ignored (execArgv [])`;
  });
}
