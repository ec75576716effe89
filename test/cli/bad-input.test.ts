/**
 * Bad input to the built CLI (`node bin/espy.js`, as a user runs it): each invocation ends
 * with the README's exit code and one clear `espy:`/`error:` line on stderr, never a stack
 * trace or "internal error".
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { requireFreshBuild } from '../support/build.js';
import { REPO_ROOT, SAMPLES } from '../support/paths.js';

const BIN = join(REPO_ROOT, 'bin', 'espy.js');

const work = mkdtempSync(join(tmpdir(), 'espy-bad-input-'));
const at = (name: string): string => join(work, name);
let bundle = '';

function espy(args: string[], env: Record<string, string> = {}): { code: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: work, NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

beforeAll(() => {
  requireFreshBuild();
  writeFileSync(at('notes.txt'), 'meeting notes, not a bundle\n');
  writeFileSync(at('empty.zip'), '');
  writeFileSync(at('outfile'), 'a file where a folder is expected\n');
  mkdirSync(at('emptydir'));
  mkdirSync(at('no-manifest'));
  mkdirSync(at('no-manifest/files'));
  writeFileSync(at('no-manifest/files/x.txt'), 'x');
  const made = espy(['collect', '--source', join(SAMPLES, 'host-clean'), '--out', 'good', '--sweep', 'none']);
  if (made.code !== EXIT.OK) throw new Error(`collect of host-clean failed (${String(made.code)}): ${made.stderr}`);
  const name = readdirSync(at('good')).find((n) => n.endsWith('.zip'));
  if (!name) throw new Error('collect wrote no bundle');
  bundle = join(at('good'), name);
  // One byte appended, the sidecar kept: the zip reader and the sidecar both disagree.
  copyFileSync(bundle, at('appended.zip'));
  copyFileSync(`${bundle}.sha256`, at('appended.zip.sha256'));
  appendFileSync(at('appended.zip'), Buffer.from([0x00]));
  // Cut in half, no sidecar: a zip by its first bytes, its central directory gone.
  const bytes = readFileSync(bundle);
  writeFileSync(at('truncated.zip'), bytes.subarray(0, bytes.length >> 1));
  writeFileSync(at('badid.txt'), 'not an identity\n');
  // An extracted bundle whose manifest was deleted: a bundle that fails its check, not a usage error.
  mkdirSync(at('stripped'));
  const x = spawnSync('bsdtar', ['-xf', bundle, '-C', at('stripped')], { encoding: 'utf8' });
  if (x.status !== 0) throw new Error(`bsdtar: ${x.stderr}`);
  rmSync(at('stripped/manifest.json'));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Case {
  args: string[];
  code: number;
  /** The error line must match this. */
  says: RegExp;
  env?: Record<string, string>;
}

const HOST = join(SAMPLES, 'host-clean');

const CASES: Case[] = [
  // Not a bundle, or not there.
  { args: ['analyze', 'notes.txt', '--out', 'o'], code: EXIT.USAGE, says: /notes\.txt is not evidence espy reads/ },
  { args: ['analyze', 'empty.zip', '--out', 'o'], code: EXIT.USAGE, says: /empty\.zip is not evidence espy reads/ },
  { args: ['analyze', '/nope', '--out', 'o'], code: EXIT.USAGE, says: /source not found: \/nope/ },
  { args: ['analyze', 'truncated.zip', '--out', 'o'], code: EXIT.CHECK_FAILED, says: /truncated\.zip: damaged zip/ },
  { args: ['analyze', 'appended.zip', '--out', 'o'], code: EXIT.CHECK_FAILED, says: /appended\.zip: damaged zip.*; its SHA-256 does not match the \.sha256 sidecar$/ },
  { args: ['verify', 'notes.txt'], code: EXIT.USAGE, says: /notes\.txt is not an espy bundle/ },
  { args: ['verify', 'empty.zip'], code: EXIT.USAGE, says: /empty\.zip is not an espy bundle/ },
  { args: ['verify', '/nope'], code: EXIT.USAGE, says: /no such bundle: \/nope/ },
  { args: ['verify', 'emptydir'], code: EXIT.USAGE, says: /emptydir: a folder with no manifest\.json/ },
  { args: ['verify', 'no-manifest'], code: EXIT.USAGE, says: /no-manifest: a folder with no manifest\.json/ },
  // A damaged bundle is a failed check, and the line names the sidecar.
  { args: ['verify', 'appended.zip'], code: EXIT.CHECK_FAILED, says: /appended\.zip FAILED: its SHA-256 [0-9a-f]{64} does not match the \.sha256 sidecar/ },
  { args: ['verify', 'truncated.zip'], code: EXIT.CHECK_FAILED, says: /truncated\.zip FAILED: .*cannot be read as a zip/ },
  { args: ['verify', 'stripped'], code: EXIT.CHECK_FAILED, says: /stripped FAILED: manifest\.json is missing/ },
  // --out names a file.
  { args: ['analyze', HOST, '--out', 'outfile'], code: EXIT.USAGE, says: /--out outfile exists and is not a folder/ },
  { args: ['collect', '--source', HOST, '--out', 'outfile'], code: EXIT.USAGE, says: /--out outfile exists and is not a folder/ },
  // Missing paths, as given on the command line.
  { args: ['hunt', '/nope'], code: EXIT.USAGE, says: /hunt: no such file or folder: \/nope$/ },
  { args: ['hunt', 'nope-here.evtx'], code: EXIT.USAGE, says: /hunt: no such file or folder: nope-here\.evtx$/ },
  { args: ['scan', '/nope'], code: EXIT.USAGE, says: /scan: no such file or folder: \/nope$/ },
  { args: ['scan', 'nope-here.dll'], code: EXIT.USAGE, says: /scan: no such file or folder: nope-here\.dll$/ },
  { args: ['evtx', 'dump', '/nope'], code: EXIT.USAGE, says: /evtx dump: no such file or folder: \/nope$/ },
  { args: ['evtx', 'info', 'nope-here.evtx'], code: EXIT.USAGE, says: /evtx info: no such file or folder: nope-here\.evtx$/ },
  { args: ['collect', '--source', '/nope', '--out', 'o'], code: EXIT.USAGE, says: /cannot read the source \/nope/ },
  { args: ['analyze', HOST, '--sql-export', '/nope', '--out', 'o'], code: EXIT.USAGE, says: /--sql-export \/nope: no such file or folder/ },
  { args: ['analyze', HOST, '--baseline', '/nope', '--out', 'o'], code: EXIT.USAGE, says: /baseline \/nope/ },
  { args: ['hunt', '--sigma', '/nope', 'notes.txt'], code: EXIT.USAGE, says: /--sigma \/nope: no such file or folder/ },
  { args: ['scan', '--yara', '/nope', 'notes.txt'], code: EXIT.USAGE, says: /--yara \/nope: no such file or folder/ },
  { args: ['--log-file', '/nope/dir/espy.log', 'analyze', HOST, '--out', 'o'], code: EXIT.USAGE, says: /--log-file \/nope\/dir\/espy\.log: cannot open/ },
  // Missing arguments and bad flags.
  { args: ['analyze'], code: EXIT.USAGE, says: /missing required argument 'source'/ },
  { args: ['verify'], code: EXIT.USAGE, says: /missing required argument 'bundle'/ },
  { args: ['scan'], code: EXIT.USAGE, says: /missing required argument 'path'/ },
  { args: ['hunt'], code: EXIT.USAGE, says: /give at least one EVTX file/ },
  { args: ['analyze', HOST, '--sweep', 'sideways'], code: EXIT.USAGE, says: /invalid sweep/ },
  { args: ['analyze', HOST, '--no-such-flag'], code: EXIT.USAGE, says: /unknown option '--no-such-flag'/ },
  { args: ['no-such-command'], code: EXIT.USAGE, says: /unknown command 'no-such-command'/ },
  { args: ['collect', '--source', HOST, '--out', 'o', '--max-file-size', 'lots'], code: EXIT.USAGE, says: /--max-file-size must be a size/ },
  { args: ['collect', '--source', HOST, '--out', 'o', '--recipient', 'bogus'], code: EXIT.USAGE, says: /not an age recipient/ },
  { args: ['analyze', HOST, '--password-env', 'ESPY_NO_SUCH_VAR', '--out', 'o'], code: EXIT.USAGE, says: /ESPY_NO_SUCH_VAR is empty or not set/ },
  { args: ['verify', '--identity', 'badid.txt', 'notes.txt'], code: EXIT.USAGE, says: /holds no AGE-SECRET-KEY- line/ },
  { args: ['verify', '--identity', '/nope', 'notes.txt'], code: EXIT.USAGE, says: /cannot read the identity file \/nope/ },
];

describe('bad input to the built CLI: exit code, one clear line, no stack', () => {
  it('has at least 25 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(25));

  it.each(CASES.map((c) => [c.args.join(' ').replace(REPO_ROOT, '.'), c] as const))('espy %s', (_label, c) => {
    const r = espy(c.args, c.env);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    const errors = lines.filter((l) => /^(espy: |error: )/.test(l));
    expect(r.code, r.stderr).toBe(c.code);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(c.says);
    // The error line, the usage hint, at most one progress line before it.
    expect(lines.length, r.stderr).toBeLessThanOrEqual(3);
  });

  it('the untouched bundle verifies (the check does not always fail)', () => {
    const r = espy(['verify', bundle]);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/OK: every hash matches/);
  });
});
