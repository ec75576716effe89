/**
 * Hostile inputs of a collection, each through the built CLI in a process of its own: a copy of
 * samples/host-clean made hostile one way per case, then `espy collect --source H --out O` under
 * `/usr/bin/time -v`. Each case prints its exit code, wall time and the peak RSS of that one
 * process (a collection run inside the test worker could only print the worker's peak since it
 * started). What is asserted is what the collection shows, never time or memory: two shared
 * cores in CI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { MAX_WALK_DEPTH } from '../../collector/walk.js';
import { MAX_ESP_EXPORT_ROWS } from '../../detection/analyze/flood.js';
import { MAX_NAMED_DLLS } from '../../detection/mssql/index.js';
import { openZip } from '../../collector/zip-reader.js';
import { requireFreshBuild } from '../support/build.js';
import { REPO_ROOT } from '../support/paths.js';

const BIN = join(REPO_ROOT, 'bin', 'espy.js');
const work = mkdtempSync(join(tmpdir(), 'espy-hostile-collect-'));
chmodSync(work, 0o755);
const LOG_DIR = ['Program Files', 'Microsoft SQL Server', 'MSSQL14.MSSQLSERVER', 'MSSQL', 'Log'];
const BINN = ['Program Files', 'Microsoft SQL Server', 'MSSQL14.MSSQLSERVER', 'MSSQL', 'Binn'];
/** The guard against a hang: a collection still running after this is killed and fails its case. */
const SPAWN_TIMEOUT_S = 120;
/** The user a root test run collects as, so that a folder's mode can stop the collector's reads. */
const NOBODY = 65534;

interface ManifestRow {
  originalPath: string;
  storedPath?: string;
  kind?: string;
  error?: string;
}
/** What one run left behind: the CLI's JSON line, and the bundle's manifest, log and analysis. */
interface Collected {
  out: { bundle: string; sha256: string; sidecar: string; errors: number; verdict: string | null };
  manifest: ManifestRow[];
  log: string;
  analysis: string;
}
interface HostileCase {
  name: string;
  /** Turns the copy of host-clean at `host` into this case's source. */
  build(host: string): void;
  args?(host: string): string[];
  /** The reason the case cannot run on this machine, checked after `build`. */
  skip?(host: string): string | undefined;
  /** Run as this uid/gid (see `unreadableAs`). */
  uid?(): number | undefined;
  exit: number;
  check(c: Collected): void;
  /** Undoes what `build` did that would stop the clean-up. */
  after?(host: string): void;
}

/** Appends lines to host-clean's ERRORLOG in its own encoding (UTF-16LE, CRLF), after its last entry. */
function appendErrorlog(host: string, lines: string[]): void {
  const text = lines.map((l) => `2026-03-13 09:00:00.00 spid51      ${l}\r\n`).join('');
  appendFileSync(join(host, ...LOG_DIR, 'ERRORLOG'), Buffer.from(text, 'utf16le'));
}

const using = (dll: string, proc: string): string => `Using '${dll}' version '1.0' to execute extended stored procedure '${proc}'. This is an informational message only; no user action is required.`;

/**
 * Root reads through any mode, so a root run collects as `nobody`; the case is skipped when
 * `nobody` cannot run the CLI from this checkout, or when the folder stays readable to it.
 */
function unreadableAs(folder: string): { uid: number | undefined; skip: string | undefined } {
  const uid = process.getuid?.() === 0 ? NOBODY : undefined;
  const as = uid === undefined ? {} : { uid, gid: uid };
  if (uid !== undefined && spawnSync(process.execPath, [BIN, '--version'], { ...as, cwd: work }).status !== 0) {
    return { uid, skip: `running as root, and user ${uid} cannot run ${BIN}: chmod 000 cannot stop root's reads` };
  }
  if (spawnSync('ls', [folder], as).status === 0) return { uid, skip: `${folder} stays readable after chmod 000 (a filesystem that ignores modes?)` };
  return { uid, skip: undefined };
}

function runCollect(c: HostileCase, host: string, out: string): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const uid = c.uid?.();
  // `timeout` inside `time`: a hung collection is killed itself (time does not pass signals on), and time still reports.
  const r = spawnSync('/usr/bin/time', ['-v', 'timeout', '-k', '5', String(SPAWN_TIMEOUT_S), process.execPath, BIN, '--json', 'collect', '--source', host, '--out', out, ...(c.args?.(host) ?? [])], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: out, NO_COLOR: '1' },
    timeout: (SPAWN_TIMEOUT_S + 30) * 1000,
    maxBuffer: 64 << 20,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(r.stderr)?.[1];
  const code = /Exit status: (\d+)/.exec(r.stderr)?.[1];
  console.log(`${c.name}: exit ${code ?? r.signal ?? '?'}, ${wall ?? '?'}, peak RSS ${kb ? Math.round(Number(kb) / 1024) : '?'} MB`);
  return { status: code === undefined ? null : Number(code), signal: r.signal ?? (code === '124' || code === '137' ? 'timeout' : null), stdout: r.stdout, stderr: r.stderr };
}

async function readBundle(stdout: string, out: string): Promise<Collected> {
  const o = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Collected['out'];
  const zip = await openZip(o.bundle);
  try {
    const entry = (name: string): Promise<string> => {
      const e = zip.entries.find((x) => x.name === name);
      if (!e) throw new Error(`${name} missing from the bundle`);
      return zip.readBytes(e, 1 << 28).then((b) => b.toString('utf8'));
    };
    const manifest = (JSON.parse(await entry('manifest.json')) as { files: ManifestRow[] }).files;
    const analysisPath = join(out, o.bundle.replace(/^.*[\\/]/, '').replace(/\.zip$/, ''), 'analysis.json');
    return { out: o, manifest, log: await entry('collection.log'), analysis: readFileSync(analysisPath, 'utf8') };
  } finally {
    zip.close();
  }
}

const USING_LINES = 150_000;
const EXPORT_ROWS = 200_000;
const MZ_FILES = 100_000;
const DEPTH = 2_000;

let binn: ReturnType<typeof unreadableAs> | undefined;

const CASES: HostileCase[] = [
  {
    name: `ERRORLOG with ${USING_LINES} "Using ..." lines, each naming another DLL`,
    build: (host) =>
      appendErrorlog(
        host,
        Array.from({ length: USING_LINES }, (_, i) => using(`C:\\Gone\\x${i}.dll`, `p${i}`)),
      ),
    // The first MAX_NAMED_DLLS names are looked for, each absent one a manifest row with an
    // error (the README's exit 3); one more row stands for the rest, which are counted.
    exit: EXIT.PARTIAL,
    check: (c) => {
      const gone = c.manifest.filter((f) => f.originalPath.startsWith('C:\\Gone\\'));
      const missing = gone.filter((f) => f.error === 'not present in the source' && f.storedPath === undefined);
      expect(missing.length).toBeGreaterThan(MAX_NAMED_DLLS - 10);
      expect(missing.length).toBeLessThanOrEqual(MAX_NAMED_DLLS);
      const beyond = gone.filter((f) => f.error?.startsWith('not looked for'));
      expect(beyond).toHaveLength(1);
      const rest = Number(/this and (\d+) later reference/.exec(beyond[0]?.error ?? '')?.[1]);
      expect(missing.length + 1 + rest).toBe(USING_LINES);
      expect(c.manifest.find((f) => f.originalPath.endsWith('\\Log\\ERRORLOG'))?.storedPath).toBeDefined();
      expect(c.out.errors).toBe(missing.length + 1);
      expect(c.analysis).toContain(`${missing.length} DLL(s) named by the evidence are not in the source`);
      // The flood is a finding of its own, counting every name not followed: the verdict cannot read clean through it.
      const a = JSON.parse(c.analysis) as { findings: { ruleId: string; count: number }[]; esps: unknown[] };
      expect(a.findings.find((f) => f.ruleId === 'espy.flood.named-dlls')?.count).toBe(rest + 1);
      expect(a.esps.length).toBeLessThanOrEqual(MAX_NAMED_DLLS);
      expect(c.out.verdict).not.toBe('NO_INDICATORS');
    },
  },
  {
    name: `SQL export of ${EXPORT_ROWS} registered ESPs, half of them naming an absent DLL`,
    build: (host) => {
      const rows = ['name,dll_name,create_date,modify_date,is_ms_shipped'];
      for (let i = 0; i < EXPORT_ROWS; i++) rows.push(`xp_${i},${i % 2 ? `C:\\Tools\\p${i}.dll` : 'xpstar.dll'},2024-11-05 15:12:09.470,2024-11-05 15:12:09.470,0`);
      writeFileSync(join(host, 'sql', 'extended_procedures.csv'), `${rows.join('\r\n')}\r\n`);
    },
    args: (host) => ['--sql-export', join(host, 'sql')],
    exit: EXIT.PARTIAL,
    check: (c) => {
      const tools = c.manifest.filter((f) => f.originalPath.startsWith('C:\\Tools\\'));
      // The export's own budget: xpstar.dll and the first tools up to MAX_NAMED_DLLS, then one row for the rest.
      const missing = tools.filter((f) => f.error === 'not present in the source');
      expect(missing).toHaveLength(MAX_NAMED_DLLS - 1);
      const beyond = tools.filter((f) => f.error?.startsWith('not looked for'));
      expect(beyond).toHaveLength(1);
      expect(missing.length + beyond.length).toBe(tools.length);
      expect(Number(/this and (\d+) later reference/.exec(beyond[0]?.error ?? '')?.[1]) + 1 + missing.length).toBe(EXPORT_ROWS / 2);
      // The analysis follows the export's first MAX_ESP_EXPORT_ROWS rows, and says so.
      const a = JSON.parse(c.analysis) as { findings: { ruleId: string; count: number }[] };
      expect(a.findings.find((f) => f.ruleId === 'espy.flood.esp-export')?.count).toBe(EXPORT_ROWS - MAX_ESP_EXPORT_ROWS);
      expect(c.manifest.find((f) => f.kind === 'sql-export' && f.originalPath.endsWith('extended_procedures.csv'))?.storedPath).toBeDefined();
      expect(c.manifest.find((f) => /\\binn\\xpstar\.dll$/i.test(f.originalPath))?.error).toBeUndefined();
    },
  },
  {
    name: 'FIFO at C:\\ProgramData\\evil.dll, named by the ERRORLOG',
    build: (host) => {
      appendErrorlog(host, [using('C:\\ProgramData\\evil.dll', 'xp_evil')]);
      mkdirSync(join(host, 'ProgramData'));
      execFileSync('mkfifo', [join(host, 'ProgramData', 'evil.dll')]);
    },
    exit: EXIT.PARTIAL,
    check: (c) => {
      const row = c.manifest.find((f) => f.originalPath === 'C:\\ProgramData\\evil.dll');
      expect(row?.error).toMatch(/not a regular file/);
      expect(row?.storedPath).toBeUndefined();
      expect(c.out.errors).toBe(1);
    },
  },
  {
    name: `${MZ_FILES} two-byte "MZ" files in C:\\ProgramData\\many beside one real ESP DLL`,
    build: (host) => {
      const many = join(host, 'ProgramData', 'many');
      mkdirSync(many, { recursive: true });
      for (let i = 0; i < MZ_FILES; i++) writeFileSync(join(many, `f${i}.dll`), 'MZ');
      copyFileSync(join(REPO_ROOT, 'samples', 'host-maggie', 'ProgramData', 'ExtendedProcedure.dll'), join(many, 'real.dll'));
    },
    exit: EXIT.OK,
    check: (c) => {
      // Two bytes cannot hold a PE header: none reaches the classifier; the real DLL does and is kept.
      expect(c.log).toContain(`sweep looked at ${MZ_FILES + 1} files, 1 PE; 1 kept`);
      const real = c.manifest.find((f) => f.originalPath === 'C:\\ProgramData\\many\\real.dll');
      expect(real?.storedPath).toBeDefined();
      expect(c.manifest.filter((f) => f.originalPath.startsWith('C:\\ProgramData\\many\\'))).toHaveLength(1);
    },
  },
  {
    name: 'unreadable Binn folder (chmod 000) on a clean host',
    build: (host) => {
      chmodSync(join(host, ...BINN), 0o000);
      binn = unreadableAs(join(host, ...BINN));
    },
    skip: () => binn?.skip,
    uid: () => binn?.uid,
    after: (host) => chmodSync(join(host, ...BINN), 0o755),
    exit: EXIT.PARTIAL,
    check: (c) => {
      const folder = c.manifest.find((f) => f.error?.startsWith('folder unreadable'));
      expect(folder?.originalPath).toBe(`C:\\${BINN.join('\\')}`);
      const xpstar = c.manifest.find((f) => /\\binn\\xpstar\.dll$/i.test(f.originalPath));
      expect(xpstar?.error).toMatch(/cannot be read \(permission denied/);
      // Unreadable is not absent: nothing reads as deleted, and the clean host stays clean.
      expect(c.manifest.some((f) => f.error === 'not present in the source')).toBe(false);
      expect(c.analysis).not.toMatch(/deleted or moved/);
      // The coverage too: unknown, not absent.
      expect(c.analysis).not.toMatch(/named by the evidence are not in the source/);
      expect(c.analysis).toMatch(/DLL\(s\) could not be read \(the file or a folder above it is unreadable\)/);
      expect(c.out.verdict).not.toBe('COMPROMISED');
      expect(c.analysis).toContain('Collection gaps');
      // What could not be read is never named among the sources that were checked.
      expect(c.analysis).not.toMatch(/no indicator of an ESP backdoor in [^"]*Collection gaps/);
      expect(c.analysis).toMatch(/"not checked: \d+ file\(s\) or folder\(s\) could not be read/);
    },
  },
  {
    name: `${DEPTH}-deep folder tree under C:\\ProgramData`,
    build: (host) => {
      mkdirSync(join(host, 'ProgramData'));
      // Past PATH_MAX: a child process makes it one folder at a time, each relative to the last.
      const script = `for (let i = 0; i < ${DEPTH}; i++) { require('fs').mkdirSync('d'); process.chdir('d'); } require('fs').writeFileSync('deep.dll', 'MZ');`;
      execFileSync(process.execPath, ['-e', script], { cwd: join(host, 'ProgramData') });
    },
    exit: EXIT.PARTIAL,
    check: (c) => {
      const budget = c.manifest.filter((f) => f.error?.startsWith('walk stopped'));
      expect(budget).toHaveLength(1);
      expect(budget[0]?.error).toContain(`deeper than ${MAX_WALK_DEPTH} folders: not entered`);
      expect(c.log).toContain(`deeper than ${MAX_WALK_DEPTH} folders`);
      expect(c.analysis).toContain(`deeper than ${MAX_WALK_DEPTH} folders`);
    },
  },
];

beforeAll(() => requireFreshBuild());
afterAll(() => {
  // The 2,000-deep tree is past PATH_MAX: rm walks it relative to each folder.
  execFileSync('rm', ['-rf', work]);
});

describe('espy collect on hostile hosts: it ends, exits as the README says, the bundle verifies', () => {
  for (const c of CASES) {
    it(
      c.name,
      async (ctx) => {
        const dir = mkdtempSync(join(work, 'case-'));
        chmodSync(dir, 0o755);
        const host = join(dir, 'host');
        const out = join(dir, 'out');
        cpSync(join(REPO_ROOT, 'samples', 'host-clean'), host, { recursive: true });
        c.build(host);
        const why = c.skip?.(host);
        if (why) return ctx.skip(why);
        mkdirSync(out, { mode: 0o777 });
        chmodSync(out, 0o777);
        let r: ReturnType<typeof runCollect>;
        try {
          r = runCollect(c, host, out);
        } finally {
          c.after?.(host);
        }
        expect(r.signal, `killed after ${SPAWN_TIMEOUT_S} s: the collection did not end`).toBeNull();
        expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
        expect(r.status, r.stderr.slice(-2000)).toBe(c.exit);
        const got = await readBundle(r.stdout, out);
        expect(got.out.bundle).toMatch(/\.zip$/);
        expect(readFileSync(got.out.sidecar, 'utf8')).toContain(got.out.sha256);
        const v = spawnSync(process.execPath, [BIN, 'verify', got.out.bundle], {
          cwd: work,
          encoding: 'utf8',
          env: { PATH: process.env['PATH'] ?? '', HOME: out, NO_COLOR: '1' },
          timeout: SPAWN_TIMEOUT_S * 1000,
        });
        expect(v.status, v.stdout + v.stderr).toBe(EXIT.OK);
        c.check(got);
      },
      3 * SPAWN_TIMEOUT_S * 1000,
    );
  }
});
