import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
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
const EVTX_FILES = [
  'evtx/williballenthin_python-evtx/tests/data/system.evtx',
  'evtx/williballenthin_python-evtx/tests/data/dns_log_malformed.evtx',
];

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
    assert(r.stdout === ref.stdout, `output differs at ${firstDifference(r.stdout, ref.stdout)}`);
    assert(r.stdout.trim().length > 0, 'scan printed nothing');
    return `${dlls.length} DLLs, exit ${r.status}, ${r.stdout.length} bytes of JSON identical`;
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
      assert(o.verdict !== 'NO_INDICATORS', 'verdict NO_INDICATORS on the Maggie host');
      facts.push(`verdict ${o.verdict}, ${o.findings?.length ?? 0} findings`);
    } else facts.push(`no verdict: analysis ${o.analysis ?? 'absent'}`);
    if (o.report) {
      assert(existsSync(o.report), `report ${o.report} not written`);
      facts.push(`report ${o.report.slice(out.length + 1)}`);
    }
    return facts.join('; ');
  });
}
