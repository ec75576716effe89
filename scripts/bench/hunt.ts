/**
 * `npm run bench:hunt`: every loadable SigmaHQ rule of the corpus (sigma/rules/windows)
 * through `espy hunt` over every file of the EVTX corpus; prints events/s and peak RSS.
 *
 * No Sigma peer (chainsaw, hayabusa, zircolite) is installed here, so the side-by-side
 * baseline is espy's own EVTX parse of the same files without rules: the ratio shows what
 * the rules cost on top of reading. Each phase runs in its own child process so peak RSS is
 * per phase. Timing is printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
const EVTX_DIR = join(CORPUS, 'evtx');
const SIGMA_DIR = join(CORPUS, 'sigma', 'rules', 'windows');

interface PhaseResult {
  phase: string;
  events: number;
  seconds: number;
  /** CPU seconds (user + system) of the measured phase: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  loadSeconds?: number;
  rulesLoaded?: number;
  rulesRejected?: number;
  detections?: number;
  correlations?: number;
  maxRssMiB: number;
}

function evtxFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.toLowerCase().endsWith('.evtx')) out.push(p);
    }
  };
  walk(EVTX_DIR);
  return out;
}

function cpuSince(c: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1e6;
}

async function parseOnly(): Promise<PhaseResult> {
  const { readEvtxRecords } = await import('../../parsers/evtx/index.js');
  const { openFileSource } = await import('../../cli/file-source.js');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let events = 0;
  for (const f of evtxFiles()) {
    const src = await openFileSource(f);
    try {
      for await (const o of readEvtxRecords(src)) if (o.ok) events++;
    } finally {
      await src.close();
    }
  }
  return { phase: 'parse-only', events, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSince(c0), maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}

async function huntPhase(phase: 'hunt-sigmahq' | 'hunt-pack'): Promise<PhaseResult> {
  const { loadRules, Hunter } = await import('../../detection/sigma/index.js');
  const { readRuleFiles } = await import('../../cli/commands/hunt.js');
  const { readEvtxRecords } = await import('../../parsers/evtx/index.js');
  const { openFileSource } = await import('../../cli/file-source.js');
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const ctx = { cwd: ROOT, stdout: sink } as unknown as Parameters<typeof readRuleFiles>[0];
  const t0 = performance.now();
  const files = await readRuleFiles(ctx, phase === 'hunt-sigmahq' ? [SIGMA_DIR] : []);
  const loaded = loadRules(files);
  const loadSeconds = (performance.now() - t0) / 1000;
  const hunter = new Hunter(loaded.rules);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  for (const f of evtxFiles()) {
    const src = await openFileSource(f);
    try {
      for await (const o of readEvtxRecords(src)) if (o.ok) hunter.push({ event: o.record.event, file: f, recordId: o.record.recordId });
    } finally {
      await src.close();
    }
  }
  hunter.finish();
  return {
    phase,
    events: hunter.stats.events,
    seconds: (performance.now() - t1) / 1000,
    cpuSeconds: cpuSince(c1),
    loadSeconds,
    rulesLoaded: loaded.rules.size,
    rulesRejected: loaded.errors.length,
    detections: hunter.stats.detections,
    correlations: hunter.stats.correlations,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(phase: string): PhaseResult {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--phase', phase], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`phase ${phase} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as PhaseResult;
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--phase');
  if (i >= 0) {
    const phase = process.argv[i + 1];
    const res = phase === 'parse-only' ? await parseOnly() : await huntPhase(phase === 'hunt-pack' ? 'hunt-pack' : 'hunt-sigmahq');
    process.stdout.write(JSON.stringify(res) + '\n');
    return;
  }
  const results = ['parse-only', 'hunt-pack', 'hunt-sigmahq'].map(runChild);
  const base = results[0] as PhaseResult;
  console.log(`corpus: ${EVTX_DIR} (${evtxFiles().length} files)`);
  console.log('phase          events   seconds  events/s  vs parse   cpu s  events/cpu-s  cpu vs parse  peak RSS  rules (loaded/rejected)  load s  detections  correlations');
  for (const r of results) {
    const eps = r.events / r.seconds;
    console.log(
      `${r.phase.padEnd(13)} ${String(r.events).padStart(7)} ${r.seconds.toFixed(2).padStart(9)} ${eps.toFixed(0).padStart(9)} ${(r.seconds / base.seconds).toFixed(2).padStart(8)}x` +
        ` ${r.cpuSeconds.toFixed(2).padStart(7)} ${(r.events / r.cpuSeconds).toFixed(0).padStart(13)} ${(r.cpuSeconds / base.cpuSeconds).toFixed(2).padStart(12)}x ${r.maxRssMiB.toFixed(0).padStart(6)} MiB` +
        `  ${r.rulesLoaded === undefined ? '-'.padStart(23) : `${r.rulesLoaded}/${r.rulesRejected}`.padStart(23)}  ${r.loadSeconds === undefined ? '     -' : r.loadSeconds.toFixed(2).padStart(6)}  ${String(r.detections ?? '-').padStart(10)}  ${String(r.correlations ?? '-').padStart(12)}`,
    );
  }
  console.log('no Sigma peer (chainsaw/hayabusa/zircolite) installed: the baseline is the parse-only phase.');
}

await main();
