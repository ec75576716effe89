/**
 * The command runner starts programs in the system folder, not in espy's working folder: a
 * working folder that is gone must not make an installed program read as "not installed".
 */
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandCwd, execRunner } from '../../collector/live/runner.js';

describe('execRunner', () => {
  it('runs in the Windows folder: / here, %SystemRoot% on Windows', async () => {
    expect(commandCwd('linux', {})).toBe('/');
    expect(commandCwd('win32', { SystemRoot: 'D:\\WINNT' })).toBe('D:\\WINNT');
    expect(commandCwd('win32', {})).toBe('C:\\Windows');
    const r = await execRunner(process.execPath, ['-e', 'process.stdout.write(process.cwd())']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout.toString('utf8')).toBe(commandCwd());
  });

  it('an installed program still runs when the working folder was deleted', async () => {
    const before = process.cwd();
    const gone = mkdtempSync(join(tmpdir(), 'espy-cwd-'));
    process.chdir(gone);
    rmdirSync(gone);
    try {
      const r = await execRunner(process.execPath, ['-e', 'process.stdout.write("ran")']);
      expect(r.failure).toBeUndefined();
      expect(r.stdout.toString('utf8')).toBe('ran');
    } finally {
      process.chdir(before);
    }
  });

  it('a program that is not installed is ENOENT, apart from a program that fails', async () => {
    const missing = await execRunner('espy-no-such-program-here', []);
    expect(missing).toMatchObject({ code: -1, failure: 'ENOENT' });
    const failing = await execRunner(process.execPath, ['-e', 'process.exit(7)']);
    expect(failing.code).toBe(7);
    expect(failing.failure).toBeUndefined();
  });
});
