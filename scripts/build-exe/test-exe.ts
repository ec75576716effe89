// `npm run test:exe`: builds dist/espy-linux-x64 and dist/espy-win-x64.exe, checks them
// (docs/executables.md lists the checks), builds again and requires identical bytes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ESPY_VERSION } from '../../cli/version.js';
import { checkAssets } from './check-assets.js';
import { checkJobs } from './check-jobs.js';
import { checkLinuxExe } from './check-linux.js';
import { checkWindowsExe } from './check-windows.js';
import { checkWine } from './check-wine.js';
import { nodeBinary } from './cache.js';
import { snapshotTree } from './snapshot.js';
import { assert, CheckRun } from './checks.js';
import { buildExecutables, defaultCacheDir, type BuildReport } from './executables.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

async function main(): Promise<number> {
  const run = new CheckRun();
  const cacheDir = defaultCacheDir(REPO_ROOT, process.env);
  const tmp = mkdtempSync(join(tmpdir(), 'espy-test-exe-'));
  const log = (line: string): void => void process.stderr.write(`test:exe: ${line}\n`);
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    await run.check('cli/version.ts matches package.json', () => {
      assert(ESPY_VERSION === pkg.version, `ESPY_VERSION ${ESPY_VERSION} vs package.json ${pkg.version}`);
    });
    const snapshot = snapshotTree(REPO_ROOT, join(tmp, 'tree'));
    let first: BuildReport | undefined;
    await run.check('npm run build:exe writes both executables', async () => {
      first = await buildExecutables({ repoRoot: REPO_ROOT, outDir: join(REPO_ROOT, 'dist'), cacheDir, targets: ['linux', 'win'], log });
      return first.outputs.map((o) => `${o.path.slice(REPO_ROOT.length + 1)} ${mib(o.bytes)}`).join(', ') + ` (${first.seconds.toFixed(0)} s)`;
    });
    const linux = first?.outputs.find((o) => o.target === 'linux');
    const win = first?.outputs.find((o) => o.target === 'win');
    if (first && linux && win) {
      // Reproducibility. A frozen copy of the inputs is taken before the first build; when the
      // working tree did not change meanwhile, the copy's build must equal dist/ byte for byte
      // (also showing the checkout's location does not matter); otherwise (others editing the
      // tree) the copy is built twice and the two builds must be equal.
      const built = first;
      await run.check('a second build gives byte-identical executables', async () => {
        const build = (out: string): Promise<BuildReport> => buildExecutables({ repoRoot: snapshot, outDir: join(tmp, out), cacheDir, targets: ['linux', 'win'], log });
        const again = await build('second');
        let reference = built;
        let how = 'dist/ and a build of a copy of the tree in another folder';
        if (again.inputsSha256 !== built.inputsSha256) {
          reference = await build('third');
          how = 'the working tree changed during the test: two builds of the frozen copy';
        }
        assert(again.inputsSha256 === reference.inputsSha256, 'inputs differ between builds of the same frozen copy');
        assert(again.bundleSha256 === reference.bundleSha256, `bundle differs: ${again.bundleSha256} vs ${reference.bundleSha256}`);
        for (const o of reference.outputs) {
          const b = again.outputs.find((x) => x.target === o.target);
          assert(b?.sha256 === o.sha256, `${o.target}: ${b?.sha256} vs ${o.sha256}`);
        }
        return `${how}: ${reference.outputs.map((o) => `${o.target} sha256 ${o.sha256}`).join('; ')}`;
      });
      await checkLinuxExe(run, { exe: linux.path, plainNode: nodeBinary('linux', cacheDir, log), tmp, version: pkg.version });
      await checkWindowsExe(run, win.path);
      await checkAssets(run, { repoRoot: REPO_ROOT, cacheDir, tmp });
      await checkJobs(run, { exe: linux.path, repoRoot: REPO_ROOT, tmp });
      await checkWine(run, { exe: win.path, linuxExe: linux.path, tmp, version: pkg.version });
      process.stdout.write(
        `\nsizes: ${linux.path.slice(REPO_ROOT.length + 1)} ${mib(linux.bytes)} (${linux.bytes} bytes), ` +
          `${win.path.slice(REPO_ROOT.length + 1)} ${mib(win.bytes)} (${win.bytes} bytes); ` +
          `Node ${first.nodeVersion}, bundle ${first.bundleBytes} bytes, ${first.assetKeys.length} assets, ` +
          `Authenticode signature removed from node.exe: ${first.removedSignatureBytes} bytes\n`,
      );
    }
  } finally {
    try {
      rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
    } catch (e) {
      process.stderr.write(`test:exe: could not remove ${tmp}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  process.stdout.write(`\n${run.summary()}\n`);
  return run.count('fail') === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`test:exe: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
