// Golden events for hand-written ERRORLOG lines: the Maggie story on a named instance.
import { describe, expect, it } from 'vitest';
import { parseErrorlog, renderMssqlMessage } from '../../parsers/errorlog/index.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import { banner, line, utf16Errorlog, utf8Errorlog } from './builders.js';

const T = '2024-03-02 10:15:07.45';
const STORY = [
  ...banner(),
  line(T, 'Logon', 'Error: 18456, Severity: 14, State: 8.'),
  line(T, 'Logon', "Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 203.0.113.45]"),
  line('2024-03-02 10:16:00.00', 'Logon', "Login succeeded for user 'sa'. Connection made using SQL Server authentication. [CLIENT: 203.0.113.45]"),
  line('2024-03-02 10:17:12.30', 'spid57', "Configuration option 'xp_cmdshell' changed from 0 to 1. Run the RECONFIGURE statement to install."),
  line('2024-03-02 10:18:00.01', 'spid57', "Attempting to load library 'C:\\ProgramData\\maggie.dll' into memory. This is an informational message only. No user action is required."),
  line(
    '2024-03-02 10:18:00.02',
    'spid57',
    "Using 'C:\\ProgramData\\maggie.dll' version 'unknown' to execute extended stored procedure 'maggie'. This is an informational message only; no user action is required.",
  ),
  line(
    '2024-03-02 10:19:00.00',
    'spid57',
    'Extended stored procedure DLL \'C:\\ProgramData\\maggie.dll\' does not export __GetXpVersion(). Refer to the topic "Backward Compatibility Details (Level 1) - Open Data Services" in the documentation for more information.',
  ),
  line('2024-03-02 10:20:00.00', 'spid58', 'Could not load the DLL C:\\Temp\\x.dll, or one of the DLLs it references. Reason: 126(The specified module could not be found.).'),
  line('2024-03-02 10:21:00.00', 'spid58', 'Could not find the function xp_y in the library C:\\Temp\\y.dll. Reason: 127(The specified procedure could not be found.).'),
  line('2024-03-02 10:22:00.00', 'spid9s', "Launched startup procedure 'sp_maggie_start'."),
  line('2024-03-02 10:23:00.00', 'spid60', "Setting database option TRUSTWORTHY to ON for database 'master'."),
  line('2024-03-02 10:24:00.00', 'spid61', 'CImageHelper::Init () Version-specific dbghelp.dll is not used'),
  line('2024-03-02 10:24:00.00', 'spid61', "Using 'dbghelp.dll' version '4.0.5'"),
  line('2024-03-02 10:25:00.00', 'spid62', "Using 'dbghelp.dll' version '4.0.5' to perform stack dump"),
  line(
    '2024-03-02 10:26:00.00',
    'spid63',
    "SQL Server blocked access to procedure 'sys.xp_cmdshell' of component 'xp_cmdshell' because this component is turned off as part of the security configuration for this server. A system administrator can enable the use of 'xp_cmdshell' by using sp_configure. For more information about enabling 'xp_cmdshell', search for 'xp_cmdshell' in SQL Server Books Online.",
  ),
];

describe('golden events', () => {
  const r = parseErrorlog(utf16Errorlog(STORY));
  const byId = (id: number) => r.entries.filter((e) => e.eventId === id);

  it('reads the banner: named instance provider, computer, UTC adjustment', () => {
    expect(r.errors).toEqual([]);
    expect(r.diagnostics).toEqual([]);
    expect(r.provider).toBe('MSSQL$SQLPROD');
    expect(r.computer).toBe('DB01');
    expect(r.banner).toMatchObject({ utcAdjustmentMinutes: -480, instanceName: 'SQLPROD', serverName: 'DB01\\SQLPROD' });
    expect(r.banner.productVersion).toMatch(/^Microsoft SQL Server 2019/);
  });

  it('merges Error: 18456 with its Login failed line into one event, state kept', () => {
    const [e] = byId(18456);
    expect(e).toBeDefined();
    expect(e?.line).toBe(13);
    expect(e?.lineCount).toBe(2);
    expect(e?.error).toEqual({ number: 18456, severity: 14, state: 8 });
    expect(e?.event).toEqual({
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'MSSQL$SQLPROD' } },
          EventID: 18456,
          TimeCreated: { '#attributes': { SystemTime: '2024-03-02T18:15:07.4500000Z' } },
          Channel: 'Application',
          Computer: 'DB01',
        },
        EventData: {
          Data: { '#text': ['sa', ' Reason: Password did not match that for the login provided.', ' [CLIENT: 203.0.113.45]'] },
          Binary: null,
        },
        ErrorLog: {
          Source: 'Logon',
          LocalTime: T,
          TimeBasis: 'banner',
          Line: 13,
          Text: "Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 203.0.113.45]",
          Severity: 14,
          State: 8,
        },
      },
    });
    expect(summarizeEvent(e!.event)).toEqual({
      provider: 'MSSQL$SQLPROD',
      eventId: 18456,
      channel: 'Application',
      computer: 'DB01',
      timestamp: '2024-03-02T18:15:07.4500000Z',
    });
  });

  it('infers the ESP, login, configuration and persistence events with template-ordered data', () => {
    const got = r.entries.filter((e) => e.eventId !== 0).map((e) => [e.eventId, e.data]);
    expect(got).toEqual([
      [17115, ['\n\t -s "SQLPROD"']],
      [18456, ['sa', ' Reason: Password did not match that for the login provided.', ' [CLIENT: 203.0.113.45]']],
      [18454, ['sa', ' [CLIENT: 203.0.113.45]']],
      [15457, ['xp_cmdshell', '0', '1']],
      [33090, ['C:\\ProgramData\\maggie.dll']],
      [8128, ['C:\\ProgramData\\maggie.dll', 'unknown', 'maggie']],
      [8131, ['C:\\ProgramData\\maggie.dll']],
      [17750, ['C:\\Temp\\x.dll', '126(The specified module could not be found.)']],
      [17751, ['xp_y', 'C:\\Temp\\y.dll', '127(The specified procedure could not be found.)']],
      [17135, ['sp_maggie_start']],
      [5084, ['TRUSTWORTHY', 'ON', 'master']],
      [15281, ['procedure', 'sys.xp_cmdshell', 'xp_cmdshell', 'xp_cmdshell', 'xp_cmdshell', 'xp_cmdshell']],
    ]);
  });

  it('the dbghelp.dll stack-dump lines are not 8128', () => {
    const dbg = r.entries.filter((e) => e.text.includes("'dbghelp.dll'"));
    expect(dbg).toHaveLength(2);
    expect(dbg.map((e) => e.eventId)).toEqual([0, 0]);
    expect(dbg[0]?.data).toEqual(["Using 'dbghelp.dll' version '4.0.5'"]);
  });

  it('keeps continuation lines, line numbers and byte offsets', () => {
    const first = r.entries[0];
    expect(first?.line).toBe(1);
    expect(first?.offset).toBe(2); // after the BOM
    expect(first?.lineCount).toBe(5); // version line, 3 continuation lines, the blank line
    expect(first?.text.split('\n')[1]).toBe('\tJul 27 2023 18:11:00');
    // Byte offset of every entry points at its line in the UTF-16LE bytes.
    const bytes = utf16Errorlog(STORY);
    for (const e of r.entries) {
      const at = Buffer.from(bytes.subarray(e.offset, e.offset + 44)).toString('utf16le');
      expect(at).toBe(e.localTime);
    }
  });

  it('renderMssqlMessage rebuilds the English text from the data', () => {
    for (const e of r.entries) {
      if (e.eventId === 0 || e.eventId === 8131) continue; // 8131 keeps its trailing advice
      expect(renderMssqlMessage(e.eventId, e.data)).toBe(e.text);
    }
  });

  it('UTF-8 (Linux) gives the same events, offsets in UTF-8 bytes', () => {
    const u = parseErrorlog(utf8Errorlog(STORY));
    expect(u.encoding).toBe('utf-8');
    expect(u.entries.map((e) => e.event)).toEqual(r.entries.map((e) => e.event));
    expect(u.entries[0]?.offset).toBe(0);
    const bytes = utf8Errorlog(STORY);
    for (const e of u.entries) expect(Buffer.from(bytes.subarray(e.offset, e.offset + 22)).toString('utf8')).toBe(e.localTime);
  });

  it('Spanish 15457 text (as SQL Server Agent quotes it) is inferred', () => {
    const es = parseErrorlog(utf16Errorlog([...banner(), line(T, 'spid52', "Se ha cambiado la opción de configuración 'xp_cmdshell' de 0 a 1. Ejecute la instrucción RECONFIGURE para instalar.")]));
    expect(es.entries.at(-1)).toMatchObject({ eventId: 15457, data: ['xp_cmdshell', '0', '1'] });
  });

  it('Error: lines of other languages keep their number, severity and state (message not inferred)', () => {
    const de = parseErrorlog(
      utf16Errorlog([
        ...banner(),
        line(T, 'Logon', 'Error: 18456, Schweregrad: 14, Status: 8.'),
        line(T, 'Logon', "Fehler bei der Anmeldung für den Benutzer 'sa'. [CLIENT: 10.0.0.9]"),
        line(T, 'Logon', 'Error: 18456, Severity: 14, State: 8 and more.'),
      ]),
    );
    const [e, odd] = de.entries.slice(-2);
    expect(e).toMatchObject({ eventId: 18456, error: { number: 18456, severity: 14, state: 8 }, data: ["Fehler bei der Anmeldung für den Benutzer 'sa'. [CLIENT: 10.0.0.9]"] });
    expect(odd).toMatchObject({ eventId: 0 });
    expect(odd?.error).toBeUndefined();
  });

  it('default instance and positive UTC adjustment', () => {
    const d = parseErrorlog(utf16Errorlog([...banner('2024-01-01 00:30:00.00', 'MSSQLSERVER', 'SRV', '5:30')]));
    expect(d.provider).toBe('MSSQLSERVER');
    expect(d.entries[0]?.utcTime).toBe('2023-12-31T19:00:00.0000000Z');
  });
});
