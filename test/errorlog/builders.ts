/** Small builders for hand-written ERRORLOG fixtures (builders, not opaque blobs). */

/** UTF-16LE with a BOM and CRLF line ends, as SQL Server on Windows writes it. */
export function utf16Errorlog(lines: readonly string[]): Uint8Array {
  return new Uint8Array(Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf16le'));
}

/** UTF-8 without a BOM and LF line ends, as SQL Server on Linux writes it. */
export function utf8Errorlog(lines: readonly string[]): Uint8Array {
  return new Uint8Array(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
}

/** `2024-03-02 10:15:00.12 spid52      text` with the source padded to 12 characters. */
export function line(time: string, source: string, text: string): string {
  return `${time} ${source.padEnd(12, ' ')}${text}`;
}

/** A banner like a SQL Server 2019 named instance on Windows at UTC-8. */
export function banner(t = '2024-03-02 08:00:01.10', instance = 'SQLPROD', host = 'DB01', utc = '-8:00'): string[] {
  return [
    line(t, 'Server', 'Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) '),
    '\tJul 27 2023 18:11:00 ',
    '\tCopyright (C) 2019 Microsoft Corporation',
    '\tEnterprise Edition (64-bit) on Windows Server 2019 Standard 10.0 <X64> (Build 17763: ) (Hypervisor)',
    '',
    line(t, 'Server', `UTC adjustment: ${utc}`),
    line(t, 'Server', '(c) Microsoft Corporation.'),
    line(t, 'Server', `Logging SQL Server messages in file 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.${instance}\\MSSQL\\Log\\ERRORLOG'.`),
    line(t, 'Server', `The service account is 'NT Service\\MSSQL$${instance}'. This is an informational message; no user action is required.`),
    line(t, 'Server', 'Command Line Startup Parameters:'),
    `\t -s "${instance}"`,
    line(t, 'spid9s', `Server name is '${host}\\${instance}'. This is an informational message only. No user action is required.`),
  ];
}
