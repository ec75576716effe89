import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, describeRun, runProgram, type CheckRun } from './checks.js';

/**
 * Checks of the Linux executable: it runs, and NODE_OPTIONS cannot inject code into it
 * (sea-config `execArgvExtension: "none"`). The same injection is first shown to work on
 * the plain pinned node binary, so the check cannot pass by a broken evil.js.
 */

export interface LinuxCheckContext {
  exe: string;
  /** The pinned plain node binary the exe was made from (control runs). */
  plainNode: string;
  tmp: string;
  version: string;
}

/** A folder with evil.js (CommonJS, --require) and evil.mjs (--import) that drop a marker. */
function evilFolder(tmp: string, name: string): { dir: string; marker: string } {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, 'EVIL-RAN');
  const code = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'evil.js ran in ' + process.execPath);\n`;
  writeFileSync(join(dir, 'evil.js'), code);
  writeFileSync(join(dir, 'evil.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'evil.mjs ran');\n`);
  return { dir, marker };
}

export async function checkLinuxExe(run: CheckRun, c: LinuxCheckContext): Promise<void> {
  await run.check('linux exe: --version prints the package version, exit 0', () => {
    const r = runProgram(c.exe, ['--version'], { cwd: c.tmp });
    assert(r.status === 0, describeRun(r));
    assert(r.stdout.trim() === c.version, `printed ${JSON.stringify(r.stdout.trim())}, expected ${c.version}`);
    return r.stdout.trim();
  });

  await run.check('linux exe: --help, exit 0', () => {
    const r = runProgram(c.exe, ['--help'], { cwd: c.tmp });
    assert(r.status === 0, describeRun(r));
    assert(r.stdout.includes('Usage: espy'), `no usage line in: ${r.stdout.slice(0, 300)}`);
    assert(r.stderr === '', `stderr not empty (SEA warning?): ${r.stderr}`);
  });

  for (const [flag, file] of [
    ['--require', './evil.js'],
    ['--import', './evil.mjs'],
  ] as const) {
    const nodeOptions = `${flag} ${file}`;
    await run.check(`NODE_OPTIONS="${nodeOptions}" does not run ${file.slice(2)} in the exe`, () => {
      const control = evilFolder(c.tmp, `evil-control${flag}`);
      const cr = runProgram(c.plainNode, ['-e', '0'], { cwd: control.dir, env: { NODE_OPTIONS: nodeOptions } });
      assert(existsSync(control.marker), `control: plain node ${flag} did not run ${file} (${describeRun(cr)}): the check would prove nothing`);
      const t = evilFolder(c.tmp, `evil-exe${flag}`);
      const r = runProgram(c.exe, ['--version'], { cwd: t.dir, env: { NODE_OPTIONS: nodeOptions } });
      assert(!existsSync(t.marker), `${file} RAN inside the executable`);
      assert(r.status === 0 && r.stdout.trim() === c.version, `exe did not run normally: ${describeRun(r)}`);
      return `plain node ran it (control); the exe did not, and printed ${r.stdout.trim()}`;
    });
  }

  await run.check('node options on the command line are espy arguments, not node options', () => {
    const t = evilFolder(c.tmp, 'evil-argv');
    const r = runProgram(c.exe, ['--require', './evil.js'], { cwd: t.dir });
    assert(!existsSync(t.marker), 'evil.js RAN from a command-line --require');
    assert(r.status === 2 && r.stderr.includes("unknown option '--require'"), `expected espy's usage error, got ${describeRun(r)}`);
    return `usage error: ${r.stderr.split('\n')[0] ?? ''}`;
  });
}
