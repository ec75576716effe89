import type { Classification } from '../../collector/classify.js';
import type { CollectOptions } from '../../collector/collect/index.js';
import type { testdir } from './testdir.js';
import { errorlogText, fakePe, utf16 } from './testdir.js';

export function baseOptions(source: string, out: string, over: Partial<CollectOptions> = {}): CollectOptions {
  let t = Date.parse('2024-03-02T10:00:00Z');
  return {
    source,
    outDir: out,
    sweep: 'smart',
    copyBinn: false,
    noSql: true,
    maxFileSize: 1 << 30,
    signal: new AbortController().signal,
    now: () => new Date((t += 1000)),
    espyVersion: '0.0.0-test',
    recordedOptions: {},
    localHost: { hostname: 'ANALYST-PC', platform: 'linux' },
    ...over,
  };
}

/** Classifier stand-in: a DLL holding the text `opends60.dll` is an ESP (detection decides for real). */
export const fakeClassify = (bytes: Uint8Array): Promise<Classification> => {
  const isPe = bytes[0] === 0x4d && bytes[1] === 0x5a;
  const isEsp = isPe && Buffer.from(bytes).includes('opends60.dll');
  return Promise.resolve({ isPe, isEsp, reasons: isEsp ? ['imports opends60.dll'] : [], yara: [] });
};

export const INST = 'MSSQL15.MSSQLSERVER';

export function hostTree(): Parameters<typeof testdir>[0] {
  return {
    Windows: { System32: { winevt: { Logs: { 'Application.evtx': 'ElfFile\0app', 'Security.evtx': 'ElfFile\0sec', 'Unrelated.evtx': 'x' } } }, Temp: {} },
    'Program Files': {
      'Microsoft SQL Server': {
        [INST]: {
          MSSQL: {
            Log: {
              ERRORLOG: utf16(
                errorlogText([
                  "Server name is 'SQL01'. This is an informational message only.",
                  "Attempting to load library 'C:\\ProgramData\\evil.dll' into memory. This is an informational message only.",
                  "Using 'C:\\ProgramData\\evil.dll' version '1.0.0' to execute extended stored procedure 'maggie'.",
                  "Using 'xpstar.dll' version '2019.150.2000' to execute extended stored procedure 'xp_instance_regread'.",
                  "Using 'C:\\Missing\\gone.dll' version '1.0' to execute extended stored procedure 'gone'.",
                ]),
              ),
              'ERRORLOG.1': utf16(errorlogText(['old'])),
              'log_1.trc': 'trace',
              'SQLAGENT.OUT': 'agent',
            },
            Binn: { 'xpstar.dll': fakePe('xpstar opends60.dll'), 'sqlservr.exe': fakePe('exe') },
          },
        },
      },
    },
    ProgramData: { 'evil.dll': fakePe('evil opends60.dll'), 'benign.dll': fakePe('benign'), 'readme.txt': 'hi', Sub: { 'hidden.dat': fakePe('dropped opends60.dll') } },
    Users: { bob: { 'notes.txt': 'n' } },
  };
}
