/**
 * Ctrl-C part-way through one large file, in every command that reads one: the built CLI is
 * interrupted while it reads a 768 MiB Security.evtx (as a host folder, a bare log, or an
 * entry of a bundle) and must exit 130 with one line and no stack. The time from the signal
 * to the exit is printed for the record, never asserted (two shared cores in CI).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { requireFreshBuild } from '../support/build.js';
import { REPO_ROOT, SHARED } from '../support/paths.js';

const SECURITY_MIB = 768;
/** How long each command runs before it is interrupted: past start-up, well inside the big read. */
const INTERRUPT_AFTER_MS = 2500;
const work = mkdtempSync(join(tmpdir(), 'espy-ctrl-c-'));
const HOST = join(work, 'host');
const LOG = join(HOST, 'Windows', 'System32', 'winevt', 'Logs', 'Security.evtx');
const BIN = join(REPO_ROOT, 'bin', 'espy.js');
const env = { PATH: process.env['PATH'] ?? '', HOME: work, NO_COLOR: '1' };
let bundle = '';

beforeAll(() => {
  requireFreshBuild();
  cpSync(join(REPO_ROOT, 'samples', 'host-maggie'), HOST, { recursive: true });
  execFileSync('python3', [join(SHARED, 'tools', 'make-big-evtx.py'), LOG, String(SECURITY_MIB)], { stdio: 'ignore' });
  execFileSync(process.execPath, [BIN, '--quiet', 'collect', '--source', HOST, '--out', join(work, 'bundle')], { env, stdio: 'ignore', timeout: 600_000 });
  const name = readdirSync(join(work, 'bundle')).find((n) => n.endsWith('.zip'));
  if (!name) throw new Error('collect wrote no bundle');
  bundle = join(work, 'bundle', name);
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `args`, sends SIGINT after INTERRUPT_AFTER_MS; its exit code, stderr and the time it took to stop. */
function interrupted(args: string[]): Promise<{ code: number | null; stderr: string; exitedBefore: boolean; stopMs: number }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let sentAt = 0;
  let exitedBefore = false;
  const timer = setTimeout(() => {
    sentAt = performance.now();
    child.kill('SIGINT');
  }, INTERRUPT_AFTER_MS);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (sentAt === 0) exitedBefore = true;
      resolve({ code, stderr, exitedBefore, stopMs: sentAt ? performance.now() - sentAt : 0 });
    });
  });
}

const CASES: { what: string; args: () => string[] }[] = [
  { what: 'analyze of the host folder (the log scan)', args: () => ['analyze', HOST, '--out', join(work, 'out-analyze-folder')] },
  { what: 'analyze of the bundle (the integrity check of its big entry)', args: () => ['analyze', bundle, '--out', join(work, 'out-analyze-bundle')] },
  { what: 'verify of the bundle', args: () => ['verify', bundle] },
  { what: 'collect (copy and scan of the log)', args: () => ['collect', '--source', HOST, '--out', join(work, 'out-collect')] },
  { what: 'hunt of the log', args: () => ['hunt', LOG] },
  { what: 'scan of the host folder (hashing the log)', args: () => ['scan', HOST, '--max-size', '1048576'] },
  { what: 'evtx dump of the log', args: () => ['evtx', 'dump', LOG, '--format', 'jsonl'] },
];

describe('Ctrl-C part-way through one large file', () => {
  it.each(CASES)(
    '$what: exit 130, one line, no stack',
    async ({ args }) => {
      const r = await interrupted(args());
      console.log(`${args()[0]} ${args()[1]}: stopped ${Math.round(r.stopMs)} ms after Ctrl-C`);
      expect(r.exitedBefore, `it ended before Ctrl-C was sent: make the log larger\n${r.stderr}`).toBe(false);
      expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
      expect(r.code, r.stderr.slice(-1000)).toBe(EXIT.INTERRUPTED);
    },
    120_000,
  );
});
