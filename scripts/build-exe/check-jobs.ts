import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS, SAMPLES } from '../../test/support/paths.js';
import { assert, commandsInHelp, describeRun, runProgram, Skip, type CheckRun, type RunResult } from './checks.js';

/**
 * The executable doing real work, data-driven: each check runs when its command is
 * registered (`espy --help`) and its input exists, and is skipped with a printed notice
 * otherwise. Outputs are compared with the same command run from the source tree (Node on
 * PATH + tsx), so the bundle, the SEA assets and the worker threads are all exercised.
 */

export interface JobContext {
  exe: string;
  repoRoot: string;
  tmp: string;
}

/** Corpus EVTX files: a 1 MiB multi-chunk log (1601 records) and one with known damage. */
const EVTX_FILES = ['evtx/williballenthin_python-evtx/tests/data/system.evtx', 'evtx/williballenthin_python-evtx/tests/data/dns_log_malformed.evtx'];

function fromSource(c: JobContext, args: readonly string[]): RunResult {
  return runProgram(process.execPath, ['--import', 'tsx', join(c.repoRoot, 'scripts', 'build-exe', 'entry.ts'), ...args], {
    cwd: c.repoRoot,
    timeoutMs: 600_000,
  });
}

function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  exe:    ${(la[i] ?? '<none>').slice(0, 300)}\n  source: ${(lb[i] ?? '<none>').slice(0, 300)}`;
  }
  return 'identical';
}

/** JSON lines without file access times (reading a file may update its atime between runs). */
function withoutAccessTimes(jsonl: string): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => k !== 'accessed')
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  return jsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.stringify(strip(JSON.parse(l))))
    .join('\n');
}

function findFiles(dir: string, test: (name: string) => boolean, depth = 0): string[] {
  if (depth > 12 || !existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...findFiles(p, test, depth + 1));
    else if (test(name)) out.push(p);
  }
  return out;
}

export async function checkJobs(run: CheckRun, c: JobContext): Promise<void> {
  const help = runProgram(c.exe, ['--help'], { cwd: c.tmp });
  const commands = commandsInHelp(help.stdout);
  process.stdout.write(`      commands in this build: ${[...commands].join(', ') || '(none)'}\n`);

  await run.check('exe `evtx dump` (1 and 2 worker threads) = source-tree output on corpus files', () => {
    if (!commands.has('evtx')) throw new Skip('no `evtx` command in this build yet');
    const files = EVTX_FILES.map((f) => join(CORPUS, f));
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) {
      if (process.env.CI) throw new Error(`corpus files missing: ${missing.join(', ')}`);
      throw new Skip(`corpus files missing: ${missing.join(', ')}`);
    }
    const ref = fromSource(c, ['evtx', 'dump', '--threads', '1', ...files]);
    assert(ref.status === 0 || ref.status === 3, `source run: ${describeRun(ref)}`);
    const lines = ref.stdout.split('\n').filter(Boolean).length;
    for (const threads of ['1', '2']) {
      const r = runProgram(c.exe, ['evtx', 'dump', '--threads', threads, ...files], { cwd: c.tmp, timeoutMs: 300_000 });
      assert(r.status === ref.status, `--threads ${threads}: exit ${r.status} vs source ${ref.status}: ${describeRun(r)}`);
      assert(!/worker threads unavailable|worker.*(failed|exited)/i.test(r.stderr), `--threads ${threads}: workers did not run: ${r.stderr.slice(0, 500)}`);
      assert(r.stdout === ref.stdout, `--threads ${threads}: output differs at ${firstDifference(r.stdout, ref.stdout)}`);
    }
    return `${lines} records, exit ${ref.status}, identical with 1 and 2 threads`;
  });

  await run.check('exe `scan` on the sample DLLs = source-tree output (YARA worker, rule assets)', () => {
    if (!commands.has('scan')) throw new Skip('no `scan` command in this build yet');
    const dlls = findFiles(SAMPLES, (n) => n.toLowerCase().endsWith('.dll')).slice(0, 6);
    if (dlls.length === 0) throw new Skip(`no sample DLL under ${SAMPLES} yet`);
    const ref = fromSource(c, ['--json', 'scan', ...dlls]);
    const r = runProgram(c.exe, ['--json', 'scan', ...dlls], { cwd: c.repoRoot, timeoutMs: 300_000 });
    assert(r.status === ref.status, `exit ${r.status} vs source ${ref.status}: ${describeRun(r)}`);
    const [a, b] = [withoutAccessTimes(r.stdout), withoutAccessTimes(ref.stdout)];
    assert(a === b, `output differs at ${firstDifference(a, b)}`);
    assert(a.length > 0, 'scan printed nothing');
    return `${dlls.length} DLLs, exit ${r.status}, ${r.stdout.length} bytes of JSON identical (access times aside)`;
  });

  await run.check('exe `hunt` (Sigma rule assets) on samples/host-maggie = source-tree output', () => {
    const host = join(SAMPLES, 'host-maggie');
    if (!commands.has('hunt')) throw new Skip('no `hunt` command in this build yet');
    if (!existsSync(host)) throw new Skip(`${host} does not exist yet`);
    const facts: string[] = [];
    for (const args of [
      ['hunt', '--check', '--json'],
      ['hunt', '--json', host],
    ]) {
      const ref = fromSource(c, args);
      const r = runProgram(c.exe, args, { cwd: c.repoRoot, timeoutMs: 300_000 });
      assert(r.status === ref.status && (r.status === 0 || r.status === 3), `${args.join(' ')}: exit ${r.status} vs source ${ref.status}: ${describeRun(r)}`);
      assert(r.stdout === ref.stdout, `${args.join(' ')}: output differs at ${firstDifference(r.stdout, ref.stdout)}`);
      facts.push(`${args.slice(0, 2).join(' ')}: ${r.stdout.split('\n').filter(Boolean).length} JSON line(s) identical`);
    }
    return facts.join('; ');
  });

  await run.check('exe `analyze` on samples/host-maggie: COMPROMISED, analysis.json = source-tree analysis, report written', () => {
    const host = join(SAMPLES, 'host-maggie');
    if (!commands.has('analyze')) throw new Skip('no `analyze` command in this build yet');
    if (!existsSync(host)) throw new Skip(`${host} does not exist yet`);
    const sql = join(host, 'sql');
    const args = (out: string): string[] => ['--json', 'analyze', host, ...(existsSync(sql) ? ['--sql-export', sql] : []), '--out', out];
    const outExe = join(c.tmp, 'analyze-exe');
    const outSrc = join(c.tmp, 'analyze-src');
    const r = runProgram(c.exe, args(outExe), { cwd: c.tmp, timeoutMs: 600_000 });
    assert(r.status === 0, describeRun(r));
    const ref = fromSource(c, args(outSrc));
    assert(ref.status === 0, `source run: ${describeRun(ref)}`);
    const o = JSON.parse(r.stdout) as { verdict?: string; report?: string; findings?: unknown[] };
    assert(o.verdict === 'COMPROMISED', `verdict ${String(o.verdict)} on the Maggie host`);
    assert(o.report && existsSync(o.report), `report ${String(o.report)} not written`);
    // Same analysis from the exe (Node 22, SEA assets) and from the source tree (Node on PATH),
    // apart from when and how it was run.
    const load = (dir: string): string => {
      const a = JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')) as Record<string, unknown>;
      for (const k of ['generatedAt', 'timings', 'command']) delete a[k];
      return JSON.stringify(a, null, 1);
    };
    const exeA = load(outExe);
    const srcA = load(outSrc);
    assert(exeA === srcA, `analysis.json differs at ${firstDifference(exeA, srcA)}`);
    return `verdict ${o.verdict}, ${o.findings?.length ?? 0} findings, analysis.json identical (except generatedAt/timings/command), report.html written`;
  });

  await run.check('exe runs the main job (`collect`) on samples/host-maggie', () => {
    const host = join(SAMPLES, 'host-maggie');
    if (!commands.has('collect')) throw new Skip('no `collect` command in this build yet');
    if (!existsSync(host)) throw new Skip(`${host} does not exist yet`);
    const out = join(c.tmp, 'collect-out');
    mkdirSync(out, { recursive: true });
    const r = runProgram(c.exe, ['--json', 'collect', '--source', host, '--out', out], { cwd: c.tmp, timeoutMs: 600_000 });
    assert(r.status === 0, describeRun(r));
    const o = JSON.parse(r.stdout) as { bundle?: string; verdict?: string | null; report?: string | null; analysis?: string; files?: number; findings?: unknown[] };
    assert(o.bundle && existsSync(o.bundle), `bundle ${String(o.bundle)} not written`);
    const facts = [`bundle ${o.bundle.slice(out.length + 1)} (${o.files ?? '?'} files)`];
    if (o.verdict) {
      assert(o.verdict === 'COMPROMISED', `verdict ${o.verdict} on the Maggie host`);
      facts.push(`verdict ${o.verdict}, ${o.findings?.length ?? 0} findings`);
    } else facts.push(`no verdict: analysis ${o.analysis ?? 'absent'}`);
    if (o.report) {
      assert(existsSync(o.report), `report ${o.report} not written`);
      facts.push(`report ${o.report.slice(out.length + 1)}`);
    }
    return facts.join('; ');
  });
}
