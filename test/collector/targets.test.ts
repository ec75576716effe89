import { describe, expect, it } from 'vitest';
import { allTargets, matchTargets, shouldDescend, SMART_SWEEP_TARGETS } from '../../collector/targets/index.js';
import { decodeVelociraptorName, globMatch, parseWindowsPath, storedPathFor } from '../../collector/win-path.js';

const t = allTargets('smart');
const name = (p: string): string | undefined => matchTargets(t, p.split('\\'))?.name;

describe('target matching (pure)', () => {
  it.each([
    ['Windows\\System32\\winevt\\Logs\\Application.evtx', 'Application event log'],
    ['WINDOWS\\system32\\WINEVT\\logs\\application.EVTX', 'Application event log'],
    ['Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx', 'Sysmon operational log'],
    ['Windows\\System32\\winevt\\Logs\\Microsoft-Windows-TerminalServices-LocalSessionManager%4Operational.evtx', 'Terminal Services logs'],
    ['Windows\\System32\\winevt\\Logs\\Setup.evtx', undefined],
    ['Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Log\\ERRORLOG', 'SQL Server ERRORLOG'],
    ['Program Files (x86)\\Microsoft SQL Server\\MSSQL11.SQLEXPRESS\\MSSQL\\Log\\ERRORLOG.6', 'SQL Server ERRORLOG'],
    ['Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Log\\log_12.trc', 'SQL Server default trace'],
    ['Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Log\\SQLAGENT.OUT', 'SQL Agent log'],
    ['Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Log\\SQLAGENT.1', 'SQL Agent log'],
    ['Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\xpstar.dll', 'SQL Server Binn DLL'],
    ['Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\Templates\\x.dll', undefined],
    ['Program Files\\Microsoft SQL Server\\150\\Shared\\x.dll', 'DLL sweep: SQL Server outside Binn'],
    ['ProgramData\\a\\b\\c.dll', 'DLL sweep: ProgramData'],
    ['$Recycle.Bin\\S-1-5-21\\$R1.dll', 'DLL sweep: Recycle Bin'],
    ['maggie.dll', 'DLL sweep: drive root'],
    ['Windows\\System32\\kernel32.dll', undefined],
  ])('%s → %s', (p, want) => expect(name(p)).toBe(want));

  it('prunes folders no target can reach, keeps those that can', () => {
    expect(shouldDescend(t, ['Windows'])).toBe(true);
    expect(shouldDescend(t, ['Windows', 'System32'])).toBe(true);
    expect(shouldDescend(t, ['Windows', 'System32', 'drivers'])).toBe(false);
    expect(shouldDescend(t, ['Windows', 'WinSxS'])).toBe(false);
    expect(shouldDescend(t, ['Users', 'bob', 'AppData', 'Local'])).toBe(true);
    expect(shouldDescend(SMART_SWEEP_TARGETS, ['Program Files', 'Microsoft SQL Server', 'MSSQL15.X', 'MSSQL', 'Binn'])).toBe(false);
    expect(shouldDescend(allTargets('none'), ['Users'])).toBe(false);
    expect(shouldDescend(allTargets('full'), ['Windows', 'WinSxS', 'x'])).toBe(true);
  });

  it('globs are case-insensitive and linear on hostile patterns', () => {
    expect(globMatch('ERRORLOG*', 'errorlog.1')).toBe(true);
    expect(globMatch('log_*.trc', 'log_1.TRC')).toBe(true);
    expect(globMatch('MSSQL*.*', 'MSSQL15')).toBe(false);
    expect(globMatch('a?c', 'abc')).toBe(true);
    const t0 = performance.now();
    expect(globMatch('*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('parses Windows paths and builds stored names', () => {
    expect(parseWindowsPath('c:/ProgramData/x.dll')).toEqual({ drive: 'C', segments: ['ProgramData', 'x.dll'] });
    expect(parseWindowsPath('\\\\?\\D:\\a\\b')).toEqual({ drive: 'D', segments: ['a', 'b'] });
    expect(parseWindowsPath('"C:\\a b\\c.dll"')).toEqual({ drive: 'C', segments: ['a b', 'c.dll'] });
    expect(parseWindowsPath('C:\\a\\..\\b')).toBeUndefined();
    expect(parseWindowsPath('xpstar.dll')).toBeUndefined();
    expect(storedPathFor('c', ['Windows', 'a%b', 'x\\y'])).toBe('files/C/Windows/a%25b/x%5Cy');
    expect(decodeVelociraptorName('C%3A')).toBe('C:');
    expect(decodeVelociraptorName('%5C%5C.%5CC%3A')).toBe('\\\\.\\C:');
    expect(decodeVelociraptorName('bad%zz%')).toBe('bad%zz%');
  });
});
