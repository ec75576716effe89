import { describe, expect, it } from 'vitest';
import { dllRefsFromErrorlog, dllRefsFromEvent, dllRefsFromSqlExport } from '../../collector/dll-refs.js';
import type { EventJson } from '../../parsers/common/event.js';

const classic = (provider: string, id: number, data: string[]): EventJson => ({
  Event: {
    System: { Provider: { '#attributes': { Name: provider } }, EventID: { '#attributes': { Qualifiers: 16384 }, '#text': id }, EventRecordID: 7, Channel: 'Application', Computer: 'SQL01' },
    EventData: { Data: { '#text': data }, Binary: '00' },
  },
});

describe('DLL names from the evidence (phase one, pure)', () => {
  it('ERRORLOG: 8128, 33090, 8131, 17750; not the dbghelp stack-dump line', () => {
    const text = [
      "2024-03-01 10:00:00.00 spid51      Using 'C:\\ProgramData\\a.dll' version '1.0' to execute extended stored procedure 'maggie'.",
      "2024-03-01 10:00:00.00 spid51      Attempting to load library 'b.dll' into memory. This is an informational message only.",
      "2024-03-01 10:00:00.00 spid51      Extended stored procedure DLL 'C:\\x\\c.dll' does not export __GetXpVersion().",
      '2024-03-01 10:00:00.00 spid51      Could not load the DLL C:\\y\\d.dll, or one of the DLLs it references. Reason: 126.',
      "2024-03-01 10:00:00.00 spid51      Using 'dbghelp.dll' version '4.0.5' to perform stack dump",
    ].join('\r\n');
    expect(dllRefsFromErrorlog(text, 'ERRORLOG').map((r) => [r.dll, r.reason])).toEqual([
      ['C:\\ProgramData\\a.dll', 'ERRORLOG line 1'],
      ['b.dll', 'ERRORLOG line 2'],
      ['C:\\x\\c.dll', 'ERRORLOG line 3'],
      ['C:\\y\\d.dll', 'ERRORLOG line 4'],
    ]);
  });

  it('events: SQL Server providers (named instances too), Sysmon 7 into sqlservr.exe only', () => {
    expect(dllRefsFromEvent(classic('MSSQL$RADAR', 8128, ['C:\\ProgramData\\m.dll', '1.0', 'maggie']), 'Application.evtx')).toEqual([
      { dll: 'C:\\ProgramData\\m.dll', reason: 'Application.evtx 8128 #7' },
    ]);
    expect(dllRefsFromEvent(classic('SomeApp', 8128, ['x.dll']), 'Application.evtx')).toEqual([]);
    const sysmon = (image: string): EventJson => ({
      Event: {
        System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: 7, EventRecordID: 3, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'SQL01' },
        EventData: { Image: image, ImageLoaded: 'C:\\ProgramData\\m.dll' },
      },
    });
    expect(dllRefsFromEvent(sysmon('C:\\Program Files\\Microsoft SQL Server\\MSSQL15.X\\MSSQL\\Binn\\sqlservr.exe'), 'Sysmon')).toHaveLength(1);
    expect(dllRefsFromEvent(sysmon('C:\\Windows\\explorer.exe'), 'Sysmon')).toEqual([]);
  });

  it('SQL exports: every *.dll token', () => {
    const csv = 'name,dll_name\r\nmaggie,C:\\ProgramData\\ExtendedProcedure.dll\r\nxp_cmdshell,xplog70.dll\r\n';
    expect(dllRefsFromSqlExport(csv, 'esps.csv').map((r) => r.dll)).toEqual(['C:\\ProgramData\\ExtendedProcedure.dll', 'xplog70.dll']);
  });
});
