/**
 * SQL Server messages as they appear in both places SQL Server writes them: the ERRORLOG
 * (text, local time) and, for those reported to Windows, the Application log (classic event:
 * EventID + Qualifiers, unnamed insertion strings, Binary = error number, severity, server
 * name, database name, as in the real MSSQL$RADAR records of the EVTX corpus).
 * ERRORLOG wording is checked against the ERRORLOG corpus.
 */
export interface SqlMessage {
  number: number;
  severity: number;
  /** ERRORLOG source column override (`Logon`, `Backup`); default the session's spid. */
  source?: string;
  /** ERRORLOG text lines (an error has the `Error: N, Severity: S, State: T.` line first). */
  lines: string[];
  /** Reported to the Application log with these insertion strings; undefined = ERRORLOG only. */
  app?: { strings: string[]; level: number; task: number; qualifiers: number; keywords: bigint; database?: string };
}

const INFO = { level: 4, task: 2, qualifiers: 16384, keywords: 0x0080000000000000n } as const;

export const REASON = {
  badPassword: 'Password did not match that for the login provided.',
  noSuchLogin: 'Could not find a login matching the name provided.',
} as const;

export function loginFailed(user: string, state: 5 | 8, ip: string): SqlMessage {
  const reason = state === 8 ? REASON.badPassword : REASON.noSuchLogin;
  return {
    number: 18456, severity: 14, source: 'Logon',
    lines: [`Error: 18456, Severity: 14, State: ${state}.`, `Login failed for user '${user}'. Reason: ${reason} [CLIENT: ${ip}]`],
    app: { strings: [user, ` Reason: ${reason}`, ` [CLIENT: ${ip}]`], level: 0, task: 4, qualifiers: 49152, keywords: 0x0090000000000000n },
  };
}

export function loginSucceeded(user: string, ip: string, windows: boolean): SqlMessage {
  const how = windows ? 'Windows' : 'SQL Server';
  return {
    number: windows ? 18453 : 18454, severity: 10, source: 'Logon',
    lines: [`Login succeeded for user '${user}'. Connection made using ${how} authentication. [CLIENT: ${ip}]`],
    app: { strings: [user, ` [CLIENT: ${ip}]`], level: 0, task: 4, qualifiers: 16384, keywords: 0x00a0000000000000n },
  };
}

export function configChanged(option: string, from: number, to: number): SqlMessage {
  return {
    number: 15457, severity: 10,
    lines: [`Configuration option '${option}' changed from ${from} to ${to}. Run the RECONFIGURE statement to install.`],
    app: { strings: [option, String(from), String(to)], ...INFO },
  };
}

export function loadingLibrary(dll: string): SqlMessage {
  return {
    number: 33090, severity: 10,
    lines: [`Attempting to load library '${dll}' into memory. This is an informational message only. No user action is required.`],
    app: { strings: [dll], ...INFO },
  };
}

export function usingXp(dll: string, version: string, proc: string): SqlMessage {
  return {
    number: 8128, severity: 10,
    lines: [`Using '${dll}' version '${version}' to execute extended stored procedure '${proc}'. This is an informational message only; no user action is required.`],
    app: { strings: [dll, version, proc], ...INFO },
  };
}

/** The stack-dump helper line that looks like 8128 but is not an ESP load (real wording). */
export function dbghelpTrap(): SqlMessage[] {
  return [
    { number: 0, severity: 0, lines: ['CImageHelper::Init () Version-specific dbghelp.dll is not used'] },
    { number: 0, severity: 0, lines: ["Using 'dbghelp.dll' version '4.0.5'"] },
  ];
}

export function startingDatabase(db: string): SqlMessage {
  return { number: 17137, severity: 10, lines: [`Starting up database '${db}'.`], app: { strings: [db], ...INFO, database: db } };
}

export function priorityBase(): SqlMessage {
  return {
    number: 17162, severity: 10, source: 'Server',
    lines: ['SQL Server is starting at normal priority base (=7). This is an informational message only. No user action is required.'],
    app: { strings: ['normal', '7'], ...INFO },
  };
}

export function serverNameIs(name: string): SqlMessage {
  return { number: 17663, severity: 10, lines: [`Server name is '${name}'. This is an informational message only. No user action is required.`] };
}

export function databaseBackedUp(db: string, created: string, pages: number, firstLsn: string, lastLsn: string, file: string): SqlMessage {
  const [d, t] = created.split(' ') as [string, string];
  const device = `FILE=1, TYPE=DISK: {'${file}'}`;
  return {
    number: 18264, severity: 10, source: 'Backup',
    lines: [`Database backed up. Database: ${db}, creation date(time): ${d}(${t}), pages dumped: ${pages}, first LSN: ${firstLsn}, last LSN: ${lastLsn}, number of dump devices: 1, device information: (${device}). This is an informational message only. No user action is required.`],
    app: { strings: [db, d, t, String(pages), firstLsn, lastLsn, '1', device], level: 4, task: 6, qualifiers: 16384, keywords: 0x0080000000000000n, database: db },
  };
}

/** Plain ERRORLOG-only informational line. */
export function note(text: string, source?: string): SqlMessage {
  return source === undefined ? { number: 0, severity: 0, lines: [text] } : { number: 0, severity: 0, source, lines: [text] };
}

/** The Binary blob of a SQL Server classic event: number, severity, server and database names. */
export function sqlEventBinary(number: number, severity: number, server: string, database: string): Uint8Array {
  const s = Buffer.from(`${server}\0`, 'utf16le');
  const d = Buffer.from(`${database}\0`, 'utf16le');
  const out = Buffer.alloc(16 + s.length + d.length);
  out.writeUInt32LE(number, 0);
  out.writeUInt32LE(severity, 4);
  out.writeUInt32LE(server.length + 1, 8);
  s.copy(out, 12);
  out.writeUInt32LE(database.length + 1, 12 + s.length);
  d.copy(out, 16 + s.length);
  return new Uint8Array(out);
}
