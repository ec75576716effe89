import { describe, expect, it } from 'vitest';
import { binnDirOf, instanceFolderOf, instanceFromFolder, instanceOfProvider, isEngineProvider, logDirOf, providerFromPath, providerOfInstance } from '../../detection/mssql/index.js';

const DEFAULT_LOG = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Log\\ERRORLOG';

describe('SQL Server instance naming', () => {
  it('reads the instance from its folder name', () => {
    expect(instanceFromFolder('MSSQL15.MSSQLSERVER')).toBe('MSSQLSERVER');
    expect(instanceFromFolder('mssql13.Reporting')).toBe('Reporting');
    expect(instanceFromFolder('MSSQL.1')).toBeUndefined();
    expect(instanceFromFolder('MSSQL15.')).toBeUndefined();
    expect(instanceFromFolder('MSAS15.MSSQLSERVER')).toBeUndefined();
    expect(instanceFromFolder('Binn')).toBeUndefined();
  });

  it('maps instance names to providers and back', () => {
    expect(providerOfInstance('MSSQLSERVER')).toBe('MSSQLSERVER');
    expect(providerOfInstance('mssqlserver')).toBe('MSSQLSERVER');
    expect(providerOfInstance('REPORTING')).toBe('MSSQL$REPORTING');
    expect(instanceOfProvider('MSSQL$REPORTING')).toBe('REPORTING');
    expect(instanceOfProvider('mssql$Reporting')).toBe('Reporting');
    expect(instanceOfProvider('MSSQLServer')).toBe('MSSQLSERVER');
    for (const name of ['MSSQLSERVER', 'REPORTING', 'Sql2019']) expect(instanceOfProvider(providerOfInstance(name))).toBe(name);
  });

  it("tells an engine's provider from other services'", () => {
    expect(isEngineProvider('MSSQLSERVER')).toBe(true);
    expect(isEngineProvider('MSSQL$REPORTING')).toBe(true);
    expect(isEngineProvider('SQLSERVERAGENT')).toBe(false);
    expect(isEngineProvider('SQLAgent$REPORTING')).toBe(false);
    expect(isEngineProvider('MSSQL$A$B')).toBe(false);
    expect(isEngineProvider('MSSQL$')).toBe(false);
  });
});

describe('instanceFolderOf', () => {
  it('finds the instance of a log in the standard layout', () => {
    expect(instanceFolderOf(DEFAULT_LOG)).toEqual({
      name: 'MSSQLSERVER',
      provider: 'MSSQLSERVER',
      root: 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER',
    });
    expect(providerFromPath(DEFAULT_LOG)).toBe('MSSQLSERVER');
    expect(providerFromPath('D:\\Program Files (x86)\\Microsoft SQL Server\\MSSQL13.REPORTING\\MSSQL\\Log\\ERRORLOG.1')).toBe('MSSQL$REPORTING');
  });

  it('finds an instance installed outside Program Files unless the standard root is asked for', () => {
    const custom = 'E:\\SQL\\MSSQL15.PROD\\MSSQL\\Log\\ERRORLOG';
    expect(instanceFolderOf(custom)).toEqual({ name: 'PROD', provider: 'MSSQL$PROD', root: 'E:\\SQL\\MSSQL15.PROD' });
    expect(instanceFolderOf(custom, { standardRootOnly: true })).toBeUndefined();
    expect(instanceFolderOf(DEFAULT_LOG, { standardRootOnly: true })?.name).toBe('MSSQLSERVER');
  });

  it('needs the instance folder to be a folder of the path, not the file or a name fragment', () => {
    expect(providerFromPath('C:\\logs\\MSSQL14.MSSQLSERVER')).toBeUndefined();
    expect(providerFromPath('C:\\logs\\xMSSQL14.X\\ERRORLOG')).toBeUndefined();
    expect(providerFromPath('C:\\Windows\\System32\\winevt\\Logs\\Application.evtx')).toBeUndefined();
    expect(providerFromPath('')).toBeUndefined();
  });

  it('takes the first instance folder of a path that nests two', () => {
    expect(providerFromPath('C:\\MSSQL1.A\\MSSQL2.B\\ERRORLOG')).toBe('MSSQL$A');
  });

  it('names the Binn and Log folders below a root', () => {
    expect(binnDirOf('C:\\X\\MSSQL14.MSSQLSERVER')).toBe('C:\\X\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn');
    expect(logDirOf('C:\\X\\MSSQL14.MSSQLSERVER')).toBe('C:\\X\\MSSQL14.MSSQLSERVER\\MSSQL\\Log');
  });

  it('stays linear on a long hostile path', () => {
    const path = `C:\\${'MSSQL1.'.repeat(5000)}`;
    expect(providerFromPath(path)).toBeUndefined();
    expect(instanceFolderOf(`${'\\Microsoft SQL Server'.repeat(2000)}\\x`, { standardRootOnly: true })).toBeUndefined();
  });
});
