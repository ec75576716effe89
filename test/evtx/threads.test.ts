import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { REPO_ROOT, requireCorpus } from '../support/paths.js';

/**
 * `espy evtx dump` with worker threads, through the built CLI (`bin/espy.js`: workers start
 * from compiled JavaScript, which vitest's in-process runner cannot provide). Workers render
 * 256 KiB jobs out of order; the output must be the one-thread output byte for byte, across
 * files, damaged chunks and recovered records, in every format.
 */
const DIR = requireCorpus('evtx');
const FILES = [
  'sans-blue-team_DeepBlueCLI/evtx/smb-password-guessing-security.evtx', // 49 chunks: 13 jobs
  '4renwald_evtx-python/samples/TerminalServices-RemoteConnectionManagerOperational.evtx',
  'omerbenamram_evtx/samples/sample_with_a_bad_chunk_magic.evtx', // damaged
  'omerbenamram_evtx/samples/MSExchange_Management_wec.evtx', // inline elements (WEC)
  'omerbenamram_evtx/samples/security_bad_string_cache.evtx',
  'sans-blue-team_DeepBlueCLI/evtx/many-events-application.evtx',
].map((f) => join(DIR, f));
const ESPY = join(REPO_ROOT, 'bin', 'espy.js');

function dump(args: string[]): { status: number | null; stdout: string; summary: string } {
  const r = spawnSync(process.execPath, [ESPY, 'evtx', 'dump', ...args, ...FILES], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, summary: /evtx dump: .*/.exec(r.stderr)?.[0] ?? r.stderr };
}

describe('evtx dump --threads N (built CLI): same bytes as one thread', () => {
  it('build/ is present (npm ci runs the build through prepare)', () => {
    expect(existsSync(join(REPO_ROOT, 'build', 'cli', 'main.js'))).toBe(true);
  });

  for (const extra of [
    ['--format', 'jsonl'],
    ['--format', 'jsonl', '--include-recovered'],
    ['--format', 'json'],
    ['--format', 'xml'],
  ]) {
    it(`${extra.join(' ')}: 2 and 3 workers = 1 thread = auto`, { timeout: 120_000 }, () => {
      const one = dump([...extra, '--threads', '1']);
      expect(one.status, one.summary).toBe(EXIT.PARTIAL); // the damaged file's failed records mark the run partial
      expect(one.summary).toMatch(/evtx dump: \d+ record\(s\) from 6 file\(s\)/);
      expect(one.stdout.length).toBeGreaterThan(1_000_000);
      for (const threads of ['2', '3', 'auto']) {
        const n = dump([...extra, '--threads', threads]);
        expect(n.summary, `--threads ${threads}`).toBe(one.summary);
        expect(n.status, `--threads ${threads}`).toBe(one.status);
        expect(n.stdout === one.stdout, `--threads ${threads}: output differs from one thread`).toBe(true);
      }
    });
  }
});
