/**
 * `npm run bench:collect`: a host of real size, timed against what a responder would do by hand.
 *
 * The host: samples/host-maggie with its Security.evtx replaced by a 1 GiB log and a 256 MiB
 * `Microsoft-Windows-PowerShell%4Operational.evtx` added, both made of real chunks of the shared
 * corpus by the shared tool make-big-evtx.py (deterministic: same corpus, same bytes). Then, in one
 * run, on a warm page cache, each round:
 *   - `espy collect --source H --sql-export H/sql --out O` (the built CLI, its own process),
 *   - `espy analyze` of the bundle it wrote,
 *   - `zip -r -1 -q` of the same tree + `sha256sum` of that zip,
 * each under /usr/bin/time for wall time and peak RSS. Prints the rounds, the best-of ratios
 * (target: <= 2.0x, peak RSS <= 200 MB) and one JSON line. Then the cost of protecting the bundle
 * (scripts/bench/seal-cost.ts) on the sample host.
 * Flags: --security-mib N (default 1024; 3072 for the 3 GiB case), --powershell-mib N (256),
 * --rounds N (2), --keep, --seal-only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealCost } from './seal-cost.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const ROOT = join(import.meta.dirname, '..', '..');
const SECURITY_MIB = arg('security-mib', 1024);
const POWERSHELL_MIB = arg('powershell-mib', 256);
const ROUNDS = arg('rounds', 2);
const KEEP = process.argv.includes('--keep');
const SEAL_ONLY = process.argv.includes('--seal-only');
const SAMPLE_HOST = join(ROOT, 'samples', 'host-maggie');
const MAKE_BIG_EVTX = join(ROOT, '..', 'shared', 'tools', 'make-big-evtx.py');
const ESPY = join(ROOT, 'bin', 'espy.js');
/** Rounds of the sealing cost on the sample host: each is well under a second. */
const SAMPLE_ROUNDS = 5;
/** espy collect's default deflate level (cli/commands/collect.ts). */
const DEFAULT_LEVEL = 1;
const TARGET_RATIO = 2.0;
const TARGET_RSS_MB = 200;

interface Timed {
  seconds: number;
  peakMB: number;
}

/** Runs a command under /usr/bin/time: wall seconds and peak RSS (MB of 10^6 bytes, as `time` counts KiB). */
function timed(cmd: string, args: readonly string[], cwd: string): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', 'ESPYBENCH %e %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /ESPYBENCH ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  if (!m) throw new Error(`${cmd} ${args.join(' ')}: no timing (exit ${r.status}): ${(r.stderr ?? '').slice(-500)}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-500)}`);
  return { seconds: Number(m[1]), peakMB: (Number(m[2]) * 1024) / 1e6 };
}

/** Reads a file through in 8 MiB steps (a 3 GiB log is past what one Buffer holds); its size. */
function readThrough(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  let total = 0;
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) total += n;
  } finally {
    closeSync(fd);
  }
  return total;
}

/** The host of real size in `dir` (H): the sample host with big logs made of real chunks. */
function buildHost(dir: string): { bytes: number } {
  cpSync(SAMPLE_HOST, dir, { recursive: true });
  const logs = join(dir, 'Windows', 'System32', 'winevt', 'Logs');
  execFileSync('python3', [MAKE_BIG_EVTX, join(logs, 'Security.evtx'), String(SECURITY_MIB)], { stdio: 'ignore' });
  execFileSync('python3', [MAKE_BIG_EVTX, join(logs, 'Microsoft-Windows-PowerShell%4Operational.evtx'), String(POWERSHELL_MIB)], { stdio: 'ignore' });
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      // Read once: every contender reads from a warm page cache.
      else bytes += readThrough(p);
    }
  };
  walk(dir);
  return { bytes };
}

function emptied(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface Round {
  collect: Timed;
  analyze: Timed;
  zip: Timed;
  sha: Timed;
  bundleMiB: number;
  zipMiB: number;
}

function round(base: string, host: string): Round {
  const out = emptied(join(base, 'out'));
  const collect = timed(process.execPath, [ESPY, '--quiet', 'collect', '--source', host, '--sql-export', join(host, 'sql'), '--out', out], base);
  const bundle = readdirSync(out).find((f) => f.endsWith('.zip'));
  if (!bundle) throw new Error('espy collect wrote no bundle');
  const analyze = timed(process.execPath, [ESPY, '--quiet', 'analyze', join(out, bundle), '--out', emptied(join(base, 'analysis'))], base);
  const peerZip = join(base, 'peer.zip');
  rmSync(peerZip, { force: true });
  const zip = timed('zip', ['-r', '-1', '-q', peerZip, '.'], host);
  const sha = timed('sha256sum', [peerZip], base);
  return { collect, analyze, zip, sha, bundleMiB: statSync(join(out, bundle)).size / 1048576, zipMiB: statSync(peerZip).size / 1048576 };
}

const s = (t: number): string => `${t.toFixed(2)} s`;

async function main(): Promise<void> {
  if (SEAL_ONLY) {
    const work = mkdtempSync(join(tmpdir(), 'espy-bench-seal-'));
    try {
      const rows = await sealCost('sample host', SAMPLE_HOST, work, SAMPLE_ROUNDS, DEFAULT_LEVEL);
      process.stdout.write(`${JSON.stringify({ bench: 'collect-seal', rows })}\n`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  for (const tool of ['zip', 'sha256sum', 'python3', '/usr/bin/time']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is needed (apt-get install zip coreutils python3 time)`);
  }
  if (!existsSync(MAKE_BIG_EVTX)) throw new Error(`${MAKE_BIG_EVTX} not found (the shared corpus sits beside the repository)`);
  const base = mkdtempSync(join(tmpdir(), 'espy-bench-collect-'));
  const host = join(base, 'H');
  try {
    const t0 = performance.now();
    const h = buildHost(host);
    process.stderr.write(
      `host: samples/host-maggie + Security.evtx ${SECURITY_MIB} MiB + PowerShell log ${POWERSHELL_MIB} MiB = ${(h.bytes / 1048576).toFixed(0)} MiB, built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${host})\n`,
    );
    const rows: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const x = round(base, host);
      rows.push(x);
      process.stderr.write(
        `round ${r + 1}: espy collect ${s(x.collect.seconds)} (peak ${x.collect.peakMB.toFixed(0)} MB, bundle ${x.bundleMiB.toFixed(0)} MiB); ` +
          `espy analyze ${s(x.analyze.seconds)} (peak ${x.analyze.peakMB.toFixed(0)} MB); zip -r -1 ${s(x.zip.seconds)} (${x.zipMiB.toFixed(0)} MiB) + sha256sum ${s(x.sha.seconds)}\n`,
      );
    }
    const best = (k: 'collect' | 'analyze' | 'zip' | 'sha'): Timed => rows.map((x) => x[k]).reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const peer = best('zip').seconds + best('sha').seconds;
    const peak = (k: 'collect' | 'analyze'): number => Math.max(...rows.map((x) => x[k].peakMB));
    const ratio = { collect: best('collect').seconds / peer, analyze: best('analyze').seconds / peer };
    const met = ratio.collect <= TARGET_RATIO && ratio.analyze <= TARGET_RATIO && peak('collect') <= TARGET_RSS_MB && peak('analyze') <= TARGET_RSS_MB;
    process.stderr.write(
      `best of ${ROUNDS}: espy collect / (zip -r -1 + sha256sum) = ${ratio.collect.toFixed(2)}x, peak ${peak('collect').toFixed(0)} MB; ` +
        `espy analyze of the bundle = ${ratio.analyze.toFixed(2)}x, peak ${peak('analyze').toFixed(0)} MB (target <= ${TARGET_RATIO}x and <= ${TARGET_RSS_MB} MB: ${met ? 'met' : 'NOT met'})\n`,
    );
    const line = {
      bench: 'collect',
      hostMiB: Math.round(h.bytes / 1048576),
      securityMiB: SECURITY_MIB,
      powershellMiB: POWERSHELL_MIB,
      rounds: ROUNDS,
      espyCollectSeconds: best('collect').seconds,
      espyAnalyzeSeconds: best('analyze').seconds,
      zipSeconds: best('zip').seconds,
      sha256sumSeconds: best('sha').seconds,
      ratioCollect: +ratio.collect.toFixed(3),
      ratioAnalyze: +ratio.analyze.toFixed(3),
      peakCollectMB: Math.round(peak('collect')),
      peakAnalyzeMB: Math.round(peak('analyze')),
      target: `ratio <= ${TARGET_RATIO}, peak <= ${TARGET_RSS_MB} MB`,
      met,
    };
    const sealing = await sealCost('sample host', SAMPLE_HOST, base, SAMPLE_ROUNDS, DEFAULT_LEVEL);
    process.stdout.write(`${JSON.stringify({ ...line, sealing })}\n`);
  } finally {
    if (!KEEP) rmSync(base, { recursive: true, force: true });
  }
}

await main();
