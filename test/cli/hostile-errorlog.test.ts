/**
 * `espy collect` and `espy analyze` of a host whose ERRORLOG grew to 200 MB (UTF-16LE, blocks
 * of 999 ordinary lines and one 8128 line naming C:\ProgramData\evil.dll): both end, the DLL
 * is named in the manifest and the analysis, every entry is counted, and Ctrl-C stops the
 * analysis. Time and peak RSS are printed for the record, never asserted (two shared cores).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { parseErrorlog } from '../../parsers/errorlog/index.js';
import { requireFreshBuild } from '../support/build.js';
import { REPO_ROOT } from '../support/paths.js';

const TARGET_BYTES = 200 * 1024 * 1024;
const LOG = join('Program Files', 'Microsoft SQL Server', 'MSSQL14.MSSQLSERVER', 'MSSQL', 'Log', 'ERRORLOG');
const EVIL = 'C:\\ProgramData\\evil.dll';
const work = mkdtempSync(join(tmpdir(), 'espy-errorlog-200m-'));
const HOST = join(work, 'host');
const BIN = join(REPO_ROOT, 'bin', 'espy.js');
const env = { PATH: process.env['PATH'] ?? '', HOME: work, NO_COLOR: '1' };
/** Entries of the grown ERRORLOG: the sample's own, then 1,000 a block. */
let entries = 0;

beforeAll(() => {
  requireFreshBuild();
  cpSync(join(REPO_ROOT, 'samples', 'host-clean'), HOST, { recursive: true });
  const path = join(HOST, LOG);
  entries = parseErrorlog(readFileSync(path)).entries.length;
  const lines: string[] = [];
  for (let i = 0; i < 999; i++) lines.push(`2024-03-01 10:00:00.00 spid51      Starting up database 'db${i}'.`);
  lines.push(`2024-03-01 10:00:00.00 spid51      Using '${EVIL}' version '1.0' to execute extended stored procedure 'x'.`);
  const block = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf16le');
  // Appended block by block: the 200 MB never sit in this process's memory.
  const fd = openSync(path, 'a');
  try {
    for (let size = statSync(path).size; size < TARGET_BYTES; size += block.length) {
      writeSync(fd, block);
      entries += 1000;
    }
  } finally {
    closeSync(fd);
  }
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs espy under /usr/bin/time -v; prints wall time and peak RSS. */
function timed(what: string, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, ...args], { cwd: work, encoding: 'utf8', env, timeout: 900_000 });
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(r.stderr)?.[1];
  console.log(`200 MB ERRORLOG: ${what} ${wall ?? '?'}, peak RSS ${Math.round(Number(kb) / 1024)} MB`);
  return { status: r.status, stderr: r.stderr };
}

interface Coverage {
  source: string;
  records: number;
  failed: number;
}

/** The ERRORLOG's coverage row and whether the analysis names the DLL. */
function readAnalysis(path: string): { errorlog: Coverage | undefined; namesEvil: boolean } {
  const text = readFileSync(path, 'utf8');
  const a = JSON.parse(text) as { coverage: Coverage[] };
  return { errorlog: a.coverage.find((c) => c.source === 'ERRORLOG'), namesEvil: text.includes(JSON.stringify(EVIL)) };
}

describe('a 200 MB ERRORLOG', () => {
  it('collect: the DLL it names is in the manifest and the analysis, every entry read (time and peak RSS printed)', () => {
    const r = timed('collect', ['collect', '--source', HOST, '--out', 'collected']);
    expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
    // evil.dll is named by the log but absent from the host: a manifest row with an error.
    expect(r.status, r.stderr.slice(-2000)).toBe(EXIT.PARTIAL);
    const out = join(work, 'collected');
    const zip = readdirSync(out).find((n) => n.endsWith('.zip')) as string;
    const manifest = JSON.parse(spawnSync('unzip', ['-p', join(out, zip), 'manifest.json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout) as {
      files: { originalPath: string; target: string }[];
    };
    expect(manifest.files.find((f) => f.originalPath === EVIL)?.target).toBe('DLL named by the logs');
    const folder = readdirSync(out).find((n) => !n.includes('.')) as string;
    const a = readAnalysis(join(out, folder, 'analysis.json'));
    expect(a.namesEvil).toBe(true);
    expect(a.errorlog).toMatchObject({ records: entries, failed: 0 });
  }, 900_000);

  it('analyze: the DLL is in the analysis, every entry read (time and peak RSS printed)', () => {
    const r = timed('analyze', ['analyze', HOST, '--out', 'analysed']);
    expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
    expect(r.status, r.stderr.slice(-2000)).toBe(EXIT.OK);
    const a = readAnalysis(join(work, 'analysed', 'analysis.json'));
    expect(a.namesEvil).toBe(true);
    expect(a.errorlog).toMatchObject({ records: entries, failed: 0 });
  }, 900_000);

  it('Ctrl-C 1.5 s into analyze: exit 130, no analysis.json, the time to stop printed', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', HOST, '--out', 'stopped'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    let sent = 0;
    setTimeout(() => {
      sent = performance.now();
      child.kill('SIGINT');
    }, 1500);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    console.log(`200 MB ERRORLOG: Ctrl-C to exit ${Math.round(performance.now() - sent)} ms`);
    expect(sent).toBeGreaterThan(0);
    expect(stderr).not.toMatch(/^\s+at |internal error/m);
    expect(code, stderr).toBe(EXIT.INTERRUPTED);
    expect(existsSync(join(work, 'stopped', 'analysis.json'))).toBe(false);
  }, 120_000);
});
