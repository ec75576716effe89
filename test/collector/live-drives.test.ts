import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../../collector/collect/index.js';
import { driveLetters, sqlServerPaths } from '../../collector/live/parse-output.js';
import { execRunner, type CommandRunner } from '../../collector/live/runner.js';
import { createWindowsLiveHost, SQLCMD_ABSENT } from '../../collector/live/windows.js';
import { openZip } from '../../collector/zip-reader.js';
import { baseOptions, hostTree } from './fixtures.js';
import { errorlogText, tempDirs, testdir, utf16 } from './testdir.js';

const { tmp, track } = tempDirs();

const REG_INSTANCES = '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL\r\n    MSSQLSERVER    REG_SZ    MSSQL15.MSSQLSERVER\r\n\r\n';
const REG_PARAMS =
  '\r\nHKEY_LOCAL_MACHINE\\...\\Parameters\r\n    SQLArg0    REG_SZ    -dC:\\Data\\master.mdf\r\n    SQLArg1    REG_SZ    -eD:\\SQLLOGS\\ERRORLOG\r\n    SQLArg2    REG_SZ    -lF:\\Logs\\mastlog.ldf\r\n\r\n';
const REG_SERVER = '\r\nHKEY_LOCAL_MACHINE\\...\\MSSQLServer\r\n    BackupDirectory    REG_SZ    E:\\Backup\r\n    DefaultData    REG_SZ    C:\\Data\r\n\r\n';

function runner(calls: string[][]): CommandRunner {
  return (cmd, args) => {
    calls.push([cmd, ...args]);
    const none = { code: -1, stdout: Buffer.alloc(0), stderr: `spawn ${cmd} ENOENT`, failure: 'ENOENT' };
    if (cmd === 'powershell.exe' || cmd === 'sqlcmd.exe') return Promise.resolve(none);
    const key = String(args[1]);
    const out = (s: string) => Promise.resolve({ code: 0, stdout: Buffer.from(s), stderr: '' });
    if (cmd === 'reg.exe' && key.endsWith('\\Parameters')) return out(REG_PARAMS);
    if (cmd === 'reg.exe' && key.endsWith('\\MSSQLServer')) return out(REG_SERVER);
    if (cmd === 'reg.exe' && key.endsWith('\\Instance Names\\SQL')) return out(REG_INSTANCES);
    return Promise.resolve({ code: 1, stdout: Buffer.alloc(0), stderr: 'ERROR: The system was unable to find the specified registry key or value.' });
  };
}

describe('live drives without PowerShell', () => {
  it('parses the paths SQL Server is told about and their drives', () => {
    const paths = sqlServerPaths([
      ['SQLArg0', '-dC:\\Data\\master.mdf'],
      ['SQLArg1', '-eD:\\SQLLOGS\\ERRORLOG'],
      ['SQLArg2', '-lf:\\Logs\\mastlog.ldf'],
      ['SQLArg3', '-T3608'],
      ['BackupDirectory', 'E:\\Backup'],
      ['DefaultLog', 'G:\\SQLLog'],
      ['Other', 'H:\\x'],
    ]);
    expect(paths).toEqual(['C:\\Data\\master.mdf', 'D:\\SQLLOGS\\ERRORLOG', 'f:\\Logs\\mastlog.ldf', 'E:\\Backup', 'G:\\SQLLog']);
    expect(driveLetters(paths)).toEqual(['C', 'D', 'F', 'E', 'G']);
  });

  it('finds C: in-process, adds D: from the -e parameter, keeps the drive letter; sqlcmd absent is a note, not an error', async () => {
    const c = testdir({ ...hostTree(), SQLLOGS: { ERRORLOG: 'decoy on C: (the registry names D:)' } });
    const d = testdir({
      SQLLOGS: { ERRORLOG: utf16(errorlogText(["Server name is 'SQL01'.", "Using 'D:\\Tools\\evil.dll' version '1.0' to execute extended stored procedure 'x'."])) },
      Tools: { 'evil.dll': 'MZ evil' },
    });
    track(c.cleanup);
    track(d.cleanup);
    const roots: Record<string, string> = { C: c.dir, D: d.dir, E: join(d.dir, 'no-such-drive') };
    const calls: string[][] = [];
    const live = await createWindowsLiveHost({
      runner: runner(calls),
      sysinfo: () => Promise.reject(new Error('no sysinfo in tests')),
      hostName: 'SQL01',
      probeDrives: ['C'],
      driveRoot: (l) => roots[l] ?? join(d.dir, `none-${l}`),
    });
    const logs: string[] = [];
    const opts = baseOptions(c.dir, tmp('espy-out-'), { live, noSql: false, log: (_l, m) => logs.push(m) });
    delete opts.source;
    const r = await collect(opts);
    expect(r.manifest.source.path).toBe('C:\\ D:\\');
    const errorlogs = r.manifest.files.filter((f) => f.kind === 'errorlog').map((f) => [f.originalPath, f.storedPath]);
    expect(errorlogs).toContainEqual(['D:\\SQLLOGS\\ERRORLOG', expect.stringMatching(/^files\/D\//)]);
    expect(errorlogs.some(([p]) => p === 'C:\\SQLLOGS\\ERRORLOG')).toBe(false);
    expect(r.manifest.files.find((f) => f.originalPath === 'D:\\Tools\\evil.dll')?.storedPath).toBeDefined();
    // sqlcmd not installed: no failed row (exit 0), a log line naming what is missing and how to get it.
    expect(r.manifest.files.filter((f) => f.method === 'query')).toEqual([]);
    expect(logs.some((l) => l.includes(SQLCMD_ABSENT))).toBe(true);
    expect(SQLCMD_ABSENT).toMatch(/espy sql-script/);
    expect(calls.filter((x) => x[0] === 'sqlcmd.exe')).toHaveLength(1);
    const zip = await openZip(r.bundlePath);
    expect(zip.entries.some((e) => e.name === (r.manifest.files.find((f) => f.originalPath === 'D:\\SQLLOGS\\ERRORLOG')?.storedPath ?? '?'))).toBe(true);
    zip.close();
  });

  it('the runner keeps a real exit code and tells a missing program apart', async () => {
    const missing = await execRunner('espy-no-such-program-xyz', []);
    expect(missing.failure).toBe('ENOENT');
    expect(missing.code).toBe(-1);
    const seven = await execRunner('/bin/sh', ['-c', 'echo oops >&2; exit 7']);
    expect(seven.code).toBe(7);
    expect(seven.failure).toBeUndefined();
    expect(seven.stderr).toContain('oops');
  });
});
