import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { ESPY_VERSION } from '../../cli/version.js';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

describe('espy CLI: global behaviour', () => {
  it('version matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(ESPY_VERSION).toBe(pkg.version);
  });

  it('--version prints the version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout.trim()).toBe(ESPY_VERSION);
  });

  it('--help lists the global flags and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(EXIT.OK);
    for (const flag of ['--json', '--quiet', '--no-color', '--log-file']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('Exit codes');
  });

  it('an unknown command or flag is a usage error (exit 2)', async () => {
    expect((await runCli(['no-such-command'])).code).toBe(EXIT.USAGE);
    expect((await runCli(['--no-such-flag'])).code).toBe(EXIT.USAGE);
  });

  it('a bad flag on any command or subcommand is a usage error (exit 2), never a process exit', async () => {
    const top = await runCli(['--help']);
    const names = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] ?? '').filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) {
      const r = await runCli([name, '--no-such-flag-xyz']);
      expect(r.code, name).toBe(EXIT.USAGE);
    }
    expect((await runCli(['evtx', 'dump', '--no-such-flag-xyz', 'x.evtx'])).code).toBe(EXIT.USAGE);
    expect((await runCli(['baseline', 'create', '--no-such-flag-xyz'])).code).toBe(EXIT.USAGE);
  });

  it('every registered command has --help', async () => {
    const r = await runCli(['--help']);
    const names = [...r.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] ?? '').filter((n) => n !== 'help');
    for (const name of names) {
      const h = await runCli([name, '--help']);
      expect(h.code, name).toBe(EXIT.OK);
      expect(h.stdout, name).toContain('Usage:');
    }
  });

  it('bin/espy.js runs from the checkout (npm ci runs the build through prepare)', () => {
    expect(existsSync(join(REPO_ROOT, 'build', 'cli', 'main.js')), 'build/ missing: run npm ci or npm run build').toBe(true);
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'espy.js'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(ESPY_VERSION);
  });
});
