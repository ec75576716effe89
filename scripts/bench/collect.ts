/**
 * `npm run bench:collect`: generates a host-like tree of a few thousand files and a few
 * hundred MB in os.tmpdir() (every file is one espy collects: event logs, ERRORLOGs, default
 * traces), then times, in one run and on a warm page cache:
 *   - `espy collect --source TREE` (in-process CLI run: no Node start-up counted), at its
 *     default deflate level (1: a live server's CPU matters more than bundle size) and at
 *     zip's level 6 for a like-for-like comparison,
 *   - `zip -r -q` (level 6, as espy) plus `sha256sum` over every file (what a responder would
 *     otherwise do by hand), run one after the other.
 * Prints both times and the ratio (target: espy no slower than the two together).
 * Then the cost of protecting the bundle (scripts/bench/seal-cost.ts): plain, AES-256 and
 * sealed (age), collector only, on the sample host (cheap) and on the generated tree.
 * Flags: --files N (default 3000), --mb N (default 300), --rounds N (default 2), --keep,
 * --seal-only (only the sealing cost, sample host; a few seconds).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../cli/main.js';
import { sealCost } from './seal-cost.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const FILES = arg('files', 3000);
const MB = arg('mb', 300);
const ROUNDS = arg('rounds', 2);
const KEEP = process.argv.includes('--keep');
const SEAL_ONLY = process.argv.includes('--seal-only');
/** The sample host of the repo (samples/host-maggie): the cheap sealing-cost source. */
const SAMPLE_HOST = join(import.meta.dirname, '..', '..', 'samples', 'host-maggie');
/** Rounds on the sample host: each is well under a second. */
const SAMPLE_ROUNDS = 5;
/** espy collect's default deflate level (cli/commands/collect.ts). */
const DEFAULT_LEVEL = 1;

/** xorshift32: deterministic content. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const WORDS = ['Login', 'succeeded', 'failed', 'for', 'user', 'sa', 'Reason:', 'Password', 'did', 'not', 'match', 'CLIENT:', 'spid51', 'Server', 'Using', 'xpstar.dll', 'version', 'to', 'execute', 'extended', 'stored', 'procedure', 'DBCC', 'CHECKDB', 'found', '0', 'errors', 'backup', 'database', 'master'];

/** Log-like content: text lines with random fields, mixed with binary-ish runs (compresses ~4-8x, like EVTX). */
function content(size: number, seed: number, utf16: boolean): Buffer {
  const next = prng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const w: string[] = [`2024-03-${String(1 + (next() % 28)).padStart(2, '0')} ${String(next() % 24).padStart(2, '0')}:${String(next() % 60).padStart(2, '0')}:00.${String(next() % 100).padStart(2, '0')} spid${next() % 200}`];
    for (let i = 0; i < 6 + (next() % 10); i++) w.push(WORDS[next() % WORDS.length] as string);
    w.push(`[CLIENT: 10.${next() % 256}.${next() % 256}.${next() % 256}] ${(next() >>> 0).toString(16)}`);
    const line = `${w.join(' ')}\r\n`;
    parts.push(line);
    n += utf16 ? line.length * 2 : line.length;
  }
  const text = parts.join('');
  const b = utf16 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text, 'latin1');
  return b.subarray(0, size);
}

function generate(root: string): { files: number; bytes: number } {
  const per = Math.floor((MB * 1024 * 1024) / FILES);
  const logs = join(root, 'Windows', 'System32', 'winevt', 'Logs');
  mkdirSync(logs, { recursive: true });
  const instances = ['MSSQL15.MSSQLSERVER', 'MSSQL16.RADAR'].map((i) => join(root, 'Program Files', 'Microsoft SQL Server', i, 'MSSQL', 'Log'));
  for (const d of instances) mkdirSync(d, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    // Sizes vary around the mean (0.25x .. 1.75x).
    const size = Math.max(1024, Math.floor(per * (0.25 + ((i * 7919) % 1000) / 666)));
    const kind = i % 3;
    const inst = instances[i % instances.length] as string;
    const path =
      kind === 0
        ? join(logs, `Microsoft-Windows-TerminalServices-Bench${i}%4Operational.evtx`)
        : kind === 1
          ? join(inst, i < 6 ? (i < 2 ? 'ERRORLOG' : `ERRORLOG.${i}`) : `ERRORLOG.${i}`)
          : join(inst, `log_${i}.trc`);
    writeFileSync(path, content(size, i + 1, kind === 1));
    bytes += size;
  }
  return { files: FILES, bytes };
}

function warm(dir: string): void {
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else readFileSync(p);
    }
  };
  walk(dir);
}

async function espyCollect(tree: string, out: string, extra: string[] = []): Promise<number> {
  const sink = new PassThrough();
  sink.resume();
  const proc = {
    cwd: () => out,
    env: {},
    argv: ['node', 'espy', '--quiet', 'collect', '--source', tree, '--out', out, '--sweep', 'none', ...extra],
    stdout: sink as unknown as NodeJS.WriteStream,
    stderr: sink as unknown as NodeJS.WriteStream,
  };
  const t0 = performance.now();
  const code = await run(proc.argv, proc);
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`espy collect exited ${code}`);
  return ms;
}

function peers(tree: string, out: string): { zipMs: number; shaMs: number } {
  const zipPath = join(out, 'peer.zip');
  rmSync(zipPath, { force: true });
  let t0 = performance.now();
  const z = spawnSync('zip', ['-r', '-q', '-6', zipPath, '.'], { cwd: tree, stdio: 'ignore' });
  const zipMs = performance.now() - t0;
  if (z.status !== 0) throw new Error(`zip -r exited ${z.status}`);
  t0 = performance.now();
  const s = spawnSync('sh', ['-c', 'find . -type f -print0 | xargs -0 sha256sum > /dev/null'], { cwd: tree, stdio: 'ignore' });
  const shaMs = performance.now() - t0;
  if (s.status !== 0) throw new Error(`sha256sum exited ${s.status}`);
  return { zipMs, shaMs };
}

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
  for (const tool of ['zip', 'sha256sum']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is needed for the comparison (apt-get install zip coreutils)`);
    }
  }
  const base = mkdtempSync(join(tmpdir(), 'espy-bench-collect-'));
  const tree = join(base, 'tree');
  const out = join(base, 'out');
  mkdirSync(tree);
  mkdirSync(out);
  try {
    const t0 = performance.now();
    const g = generate(tree);
    process.stderr.write(`generated ${g.files} files, ${(g.bytes / 1048576).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s (${tree})\n`);
    warm(tree);
    const rows: { espy: number; espy6: number; zip: number; sha: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const f of readdirSync(out)) rmSync(join(out, f), { recursive: true, force: true });
      const espy = await espyCollect(tree, out);
      const bundle = readdirSync(out).find((f) => f.endsWith('.zip')) ?? '';
      const bundleBytes = statSync(join(out, bundle)).size;
      for (const f of readdirSync(out)) rmSync(join(out, f), { recursive: true, force: true });
      const espy6 = await espyCollect(tree, out, ['--compression-level', '6']);
      const bundle6 = readdirSync(out).find((f) => f.endsWith('.zip')) ?? '';
      const bundle6Bytes = statSync(join(out, bundle6)).size;
      const p = peers(tree, out);
      const peerBytes = statSync(join(out, 'peer.zip')).size;
      rows.push({ espy, espy6, zip: p.zipMs, sha: p.shaMs });
      process.stderr.write(
        `round ${r + 1}: espy collect ${(espy / 1000).toFixed(2)} s (default level ${DEFAULT_LEVEL}: bundle ${(bundleBytes / 1048576).toFixed(1)} MiB, sha256+sha1+md5); ` +
          `espy collect --compression-level 6 ${(espy6 / 1000).toFixed(2)} s (${(bundle6Bytes / 1048576).toFixed(1)} MiB); ` +
          `zip -r ${(p.zipMs / 1000).toFixed(2)} s (${(peerBytes / 1048576).toFixed(1)} MiB) + sha256sum ${(p.shaMs / 1000).toFixed(2)} s\n`,
      );
    }
    const best = (k: 'espy' | 'espy6' | 'zip' | 'sha'): number => Math.min(...rows.map((x) => x[k]));
    const espy = best('espy');
    const peer = best('zip') + best('sha');
    const ratio = espy / peer;
    const ratio6 = best('espy6') / peer;
    const line = {
      bench: 'collect',
      files: g.files,
      mib: Math.round(g.bytes / 1048576),
      rounds: ROUNDS,
      espyCollectSeconds: +(espy / 1000).toFixed(3),
      zipSeconds: +(best('zip') / 1000).toFixed(3),
      sha256sumSeconds: +(best('sha') / 1000).toFixed(3),
      espyLevel6Seconds: +(best('espy6') / 1000).toFixed(3),
      ratioEspyToZipPlusSha256sum: +ratio.toFixed(3),
      ratioEspyLevel6ToZipPlusSha256sum: +ratio6.toFixed(3),
      target: 'ratio <= 1.0',
      met: ratio <= 1,
    };
    process.stderr.write(`espy collect / (zip -r + sha256sum) = ${ratio.toFixed(2)}; at zip's level 6: ${ratio6.toFixed(2)} (best of ${ROUNDS}; < 1 means espy is faster)\n`);
    const sealRows = [
      ...(await sealCost('sample host', SAMPLE_HOST, base, SAMPLE_ROUNDS, DEFAULT_LEVEL)),
      ...(await sealCost(`generated ${Math.round(g.bytes / 1048576)} MiB`, tree, base, ROUNDS, DEFAULT_LEVEL)),
    ];
    process.stdout.write(`${JSON.stringify({ ...line, sealing: sealRows })}\n`);
  } finally {
    if (!KEEP) rmSync(base, { recursive: true, force: true });
  }
}

await main();
