/**
 * What espy prints for a person: evidence text with control and bidi characters made
 * visible, scan's non-PE files named as such, hunt's --min-level, and --log-file levels that
 * say what the line is.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../cli/context.js';
import { EXIT } from '../../cli/exit-codes.js';
import { revealControls } from '../../cli/terminal-text.js';
import { runCli } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'espy-terminal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Anything a terminal would act on or reorder: C0/C1 controls other than TAB/LF, bidi controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

describe('revealControls', () => {
  it.each([
    ['a\u001B[2Jb', 'a\\u001B[2Jb'],
    ['bell\u0007', 'bell\\u0007'],
    ['over\rwrite', 'over\\u000Dwrite'],
    ['maggie\u202Elld.exe', 'maggie\\u202Elld.exe'],
    ['\u2066iso\u2069 \u200E\u200F', '\\u2066iso\\u2069 \\u200E\\u200F'],
    ['csi\u009B31m', 'csi\\u009B31m'],
    ['keeps\ttabs\nand lines', 'keeps\ttabs\nand lines'],
    ['C:\\ProgramData\\ExtendedProcedure.dll', 'C:\\ProgramData\\ExtendedProcedure.dll'],
  ])('%j → %j', (input, want) => {
    expect(revealControls(input)).toBe(want);
    expect(revealControls(input)).not.toMatch(UNSAFE);
  });
});

describe('scan on a terminal', () => {
  it('shows a hostile file name with visible markers and counts it as not a PE file', async () => {
    const dir = join(tmp, 'scan');
    const name = 'a\u001B[2Jb\u0007c\u202Eexe.dll';
    mkdirSync(dir);
    writeFileSync(join(dir, name), 'not a PE');
    const r = await runCli(['scan', '--no-builtin-rules', dir]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).not.toMatch(UNSAFE);
    expect(r.stderr).not.toMatch(UNSAFE);
    expect(r.stdout).toContain('a\\u001B[2Jb\\u0007c\\u202Eexe.dll');
    expect(r.stdout).toContain('not a PE file');
    expect(r.stderr).toMatch(/scanned 1 file\(s\): 0 PE, 0 ESP DLL\(s\); 1 not a PE file/);
    expect(r.stderr).not.toContain('unknown');
    // Machine output keeps the name exactly (JSON escapes controls itself).
    const j = await runCli(['--json', 'scan', '--no-builtin-rules', dir]);
    expect((JSON.parse(j.stdout.trim()) as { file: string }).file.endsWith(name)).toBe(true);
  });
});

describe('hunt --min-level', () => {
  const maggie = join(SAMPLES, 'host-maggie');

  it('prints only rows at or above the level and counts the rest', async () => {
    const all = await runCli(['hunt', maggie]);
    const high = await runCli(['hunt', '--min-level', 'high', maggie]);
    expect(all.code).toBe(EXIT.OK);
    expect(high.code).toBe(EXIT.OK);
    const rows = high.stdout.split('\n').filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^(HIGH|CRITICAL) /u);
    const allRows = all.stdout.split('\n').filter(Boolean);
    const hidden = allRows.length - rows.length;
    expect(hidden).toBeGreaterThan(0);
    expect(high.stderr).toContain(`${hidden} row(s) below --min-level high not shown`);
  });

  it('rejects an unknown level (exit 2)', async () => {
    expect((await runCli(['hunt', '--min-level', 'severe', maggie])).code).toBe(EXIT.USAGE);
  });
});

describe('--log-file levels', () => {
  it('writes detail lines as INFO (not on stderr), warnings as WARN, debug as DEBUG', async () => {
    const file = join(tmp, 'run.log');
    const stderr = new PassThrough();
    let shown = '';
    stderr.on('data', (d: Buffer) => (shown += d.toString('utf8')));
    const proc = { cwd: () => tmp, env: {}, argv: ['node', 'espy'], stdout: new PassThrough() as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream };
    const { ctx, close } = createContext(proc, { logFile: file }, new AbortController().signal, '0.0.0');
    ctx.log.detail('copied C:\\Windows\\System32\\winevt\\Logs\\Security.evtx');
    ctx.log.info('collected 11 files');
    ctx.log.warn('Sysmon log missing');
    ctx.log.debug('4 threads');
    await close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\S+ /u, ''));
    expect(lines).toEqual(['INFO copied C:\\Windows\\System32\\winevt\\Logs\\Security.evtx', 'INFO collected 11 files', 'WARN Sysmon log missing', 'DEBUG 4 threads']);
    expect(shown).toBe('collected 11 files\nwarning: Sysmon log missing\n');
  });
});
