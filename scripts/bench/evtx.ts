/**
 * `npm run bench:evtx`: builds a 256 MiB EVTX file of real chunks with
 * the corpus tool make-big-evtx.py (cached in os.tmpdir()), then, in one run, alternating
 * rounds, times:
 *   espy evtx dump --format jsonl --threads 1, espy ... --threads <cores>,
 *   evtxexport -f xml (libevtx), python-evtx (evtx_dump.py) on an 8 MiB slice,
 * and prints MB/s, records/s, peak RSS and the ratios. Output goes to /dev/null.
 * Also times espy (1 thread and all cores) on a second file of the same size made from ONE
 * real log's chunks (the corpus' largest Security log, SMB password guessing): the mixed file
 * holds ~1,000 template shapes from 477 logs, which every worker thread must compile and
 * warm up for itself; one host's log holds a handful. Both figures are printed.
 * The ceiling rows time <cores> independent single-thread espy processes started together,
 * each on a file of 1/<cores> the size made of the same chunks: a split of the work with no
 * communication at all, whose speed-up over one thread bounds what any multi-thread design
 * can reach on this machine (each process, like each worker, pays its own start-up, JIT
 * compilation and template plans; and here two busy cores each run slower than one).
 * Env: ESPY_BENCH_MIB (default 256), ESPY_BENCH_ROUNDS (default 2).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SHARED = resolve(ROOT, '..', 'shared');
const MAKE = join(SHARED, 'tools', 'make-big-evtx.py');
const MIB = Number(process.env.ESPY_BENCH_MIB ?? 256);
const ROUNDS = Number(process.env.ESPY_BENCH_ROUNDS ?? 2);
const CORES = availableParallelism();

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

function ensureFile(mib: number): string {
  const out = join(tmpdir(), `espy-bench-${mib}mib.evtx`);
  if (!existsSync(out) || statSync(out).size < mib * 1024 * 1024 * 0.9) {
    console.log(`building ${out} (${mib} MiB of real chunks) ...`);
    sh('/usr/bin/python3', [MAKE, out, String(mib), join(SHARED, 'corpus', 'evtx')]);
  }
  return out;
}

/** The one-log file: ONE_LOG's real chunks repeated to `mib` MiB (make-big-evtx over a folder holding just it). */
const ONE_LOG = join('sans-blue-team_DeepBlueCLI', 'evtx', 'smb-password-guessing-security.evtx');
function ensureOneLogFile(mib: number): string {
  const out = join(tmpdir(), `espy-bench-onelog-${mib}mib.evtx`);
  if (!existsSync(out) || statSync(out).size < mib * 1024 * 1024 * 0.9) {
    const dir = mkdtempSync(join(tmpdir(), 'espy-bench-onelog-'));
    copyFileSync(join(SHARED, 'corpus', 'evtx', ONE_LOG), join(dir, basename(ONE_LOG)));
    console.log(`building ${out} (${mib} MiB of ${ONE_LOG}'s chunks) ...`);
    sh('/usr/bin/python3', [MAKE, out, String(mib), dir]);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

interface Run {
  wallS: number;
  cpuS: number;
  rssMiB: number;
  records: number;
}

/** GNU time's format for `timeRun`: wall, user and system CPU seconds, max RSS in KiB. */
const TIME_ARGS = ['-f', '@@TIME %e %U %S %M'];

/** Reads GNU time's line from a child's stderr (TIME_ARGS); throws with the stderr's tail when missing. */
function timeRun(cmd: string, stderr: string, records: number): Run {
  const line = /@@TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (!line) throw new Error(`${cmd} failed: ${stderr.slice(-500)}`);
  return { wallS: Number(line[1]), cpuS: Number(line[2]) + Number(line[3]), rssMiB: Number(line[4]) / 1024, records };
}

/** Runs under GNU time: wall, user+sys CPU and max RSS of the child. */
function timed(cmd: string, args: string[], countRecords: (stderr: string, stdout: string) => number, stdoutToNull = true): Run {
  const r = spawnSync('/usr/bin/time', [...TIME_ARGS, cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', stdoutToNull ? 'ignore' : 'pipe', 'pipe'],
  });
  return timeRun(cmd, r.stderr ?? '', countRecords(r.stderr ?? '', r.stdout ?? ''));
}

/** Runs `n` copies of a command at once; wall = until the last ends; CPU and records summed, RSS the largest. */
async function timedTogether(n: number, cmd: string, args: string[], countRecords: (stderr: string) => number): Promise<Run> {
  const t0 = performance.now();
  const runs = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Run>((done, fail) => {
          const child = spawn('/usr/bin/time', [...TIME_ARGS, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
          child.on('error', fail);
          child.on('close', () => {
            try {
              done(timeRun(cmd, err, countRecords(err)));
            } catch (e) {
              fail(e);
            }
          });
        }),
    ),
  );
  return {
    wallS: (performance.now() - t0) / 1000,
    cpuS: runs.reduce((a, r) => a + r.cpuS, 0),
    rssMiB: Math.max(...runs.map((r) => r.rssMiB)),
    records: runs.reduce((a, r) => a + r.records, 0),
  };
}

const espyRecords = (err: string): number => Number(/evtx dump: (\d+) record/.exec(err)?.[1] ?? 0);

async function main(): Promise<void> {
  console.log('building espy (tsc) ...');
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const big = ensureFile(MIB);
  const slice = ensureFile(8);
  const oneLog = ensureOneLogFile(MIB);
  // The ceiling's parts: files of 1/CORES the size, of the same chunks (make-big-evtx
  // repeats its chunk pool in the same order, so the part is the big file's first 1/CORES).
  const part = ensureFile(Math.max(1, Math.round(MIB / CORES)));
  const oneLogPart = ensureOneLogFile(Math.max(1, Math.round(MIB / CORES)));
  const partMB = (statSync(part).size / 1e6) * CORES;
  const oneLogPartMB = (statSync(oneLogPart).size / 1e6) * CORES;
  const oneLogMB = statSync(oneLog).size / 1e6;
  const bigMB = statSync(big).size / 1e6;
  const sliceMB = statSync(slice).size / 1e6;
  const espy = join(ROOT, 'bin', 'espy.js');
  const evtxRecordsFromXml = (): number => 0;
  const dump1 = (file: string): string[] => [espy, 'evtx', 'dump', '--format', 'jsonl', '--threads', '1', file];
  const tools: { name: string; mb: number; run: () => Run | Promise<Run> }[] = [
    { name: 'espy dump jsonl, 1 thread', mb: bigMB, run: () => timed(process.execPath, [espy, 'evtx', 'dump', '--format', 'jsonl', '--threads', '1', big], espyRecords) },
    { name: `espy dump jsonl, ${CORES} threads`, mb: bigMB, run: () => timed(process.execPath, [espy, 'evtx', 'dump', '--format', 'jsonl', '--threads', String(CORES), big], espyRecords) },
    { name: 'evtxexport -f xml', mb: bigMB, run: () => timed('/usr/bin/evtxexport', ['-f', 'xml', big], evtxRecordsFromXml) },
    { name: 'python-evtx (8 MiB slice)', mb: sliceMB, run: () => timed('/usr/bin/python3', ['/usr/bin/evtx_dump.py', slice], evtxRecordsFromXml) },
    { name: 'one log: espy, 1 thread', mb: oneLogMB, run: () => timed(process.execPath, [espy, 'evtx', 'dump', '--format', 'jsonl', '--threads', '1', oneLog], espyRecords) },
    { name: `one log: espy, ${CORES} threads`, mb: oneLogMB, run: () => timed(process.execPath, [espy, 'evtx', 'dump', '--format', 'jsonl', '--threads', String(CORES), oneLog], espyRecords) },
    { name: `ceiling: ${CORES} procs x 1/${CORES}`, mb: partMB, run: () => timedTogether(CORES, process.execPath, dump1(part), espyRecords) },
    { name: `one log ceiling: ${CORES} x 1/${CORES}`, mb: oneLogPartMB, run: () => timedTogether(CORES, process.execPath, dump1(oneLogPart), espyRecords) },
  ];
  const best = new Map<string, Run>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of tools) {
      const r = await t.run();
      console.log(`round ${round}: ${t.name}: ${r.wallS.toFixed(2)} s wall, ${r.cpuS.toFixed(2)} s CPU, ${r.rssMiB.toFixed(0)} MiB peak RSS`);
      const prev = best.get(t.name);
      if (!prev || r.wallS < prev.wallS) best.set(t.name, { ...r, records: r.records || prev?.records || 0 });
    }
  }
  const records = best.get(tools[0]!.name)?.records ?? 0;
  console.log(`\nfile: ${MIB} MiB (${bigMB.toFixed(1)} MB), ${records} records; machine: ${CORES} cores; best of ${ROUNDS} rounds`);
  console.log('tool                              MB/s(wall)  MB/s(CPU)  records/s(wall)  peak RSS');
  const rate = new Map<string, { wall: number; cpu: number }>();
  for (const t of tools) {
    const r = best.get(t.name)!;
    const wall = t.mb / r.wallS;
    const cpu = t.mb / Math.max(r.cpuS, 1e-3);
    rate.set(t.name, { wall, cpu });
    // Tools that do not report a count read the mixed file: espy's count holds for them.
    const n = r.records || (t.mb === bigMB && !t.name.startsWith('one log') ? records : 0);
    const recS = n ? (n / r.wallS).toFixed(0) : '-';
    console.log(`${t.name.padEnd(34)}${wall.toFixed(1).padStart(10)}${cpu.toFixed(1).padStart(11)}${recS.padStart(17)}${(r.rssMiB.toFixed(0) + ' MiB').padStart(10)}`);
  }
  const one = rate.get(tools[0]!.name)!;
  const all = rate.get(tools[1]!.name)!;
  const ee = rate.get(tools[2]!.name)!;
  const py = rate.get(tools[3]!.name)!;
  console.log('\nratios (wall; CPU in brackets):');
  console.log(`  espy 1 thread / evtxexport : ${(one.wall / ee.wall).toFixed(2)}x (${(one.cpu / ee.cpu).toFixed(2)}x)   target >= 5x`);
  console.log(`  espy ${CORES} threads / 1 thread: ${(all.wall / one.wall).toFixed(2)}x   target >= 1.7x on 2 cores`);
  console.log(`  espy 1 thread / python-evtx: ${(one.wall / py.wall).toFixed(1)}x (${(one.cpu / py.cpu).toFixed(1)}x)`);
  const one1 = rate.get(tools[4]!.name)!;
  const oneN = rate.get(tools[5]!.name)!;
  console.log(`  one log: espy ${CORES} threads / 1 thread: ${(oneN.wall / one1.wall).toFixed(2)}x  (1 thread ${one1.wall.toFixed(1)} MB/s)`);
  const ceil = rate.get(tools[6]!.name)!;
  const ceil1 = rate.get(tools[7]!.name)!;
  console.log(
    `  ceiling, ${CORES} independent 1-thread processes on 1/${CORES} each (no communication) / 1 thread: ${(ceil.wall / one.wall).toFixed(2)}x; one log: ${(ceil1.wall / one1.wall).toFixed(2)}x`,
  );
  console.log(`  espy ${CORES} threads / that ceiling: ${(all.wall / ceil.wall).toFixed(2)}x; one log: ${(oneN.wall / ceil1.wall).toFixed(2)}x`);
  const rss = Math.max(...[0, 1, 4, 5].map((i) => best.get(tools[i]!.name)!.rssMiB));
  console.log(`  espy peak RSS: ${rss.toFixed(0)} MiB   target <= 200 MiB`);
}

await main();
