/** What a sample host is: names, SQL Server instance, time zone, and which logs it keeps. */
export interface HostConfig {
  /** Folder name under samples/. */
  id: string;
  /** NetBIOS name (also @@SERVERNAME's machine part). */
  netbios: string;
  /** Fully qualified name, as EVTX <Computer> holds it. */
  fqdn: string;
  /** NetBIOS domain. */
  domain: string;
  /** Instance name: MSSQLSERVER for the default instance. */
  instance: string;
  /** Instance folder under Program Files\Microsoft SQL Server, e.g. MSSQL14.MSSQLSERVER. */
  instanceFolder: string;
  sql: {
    /** ERRORLOG banner first line, e.g. `Microsoft SQL Server 2017 (RTM) - 14.0.1000.169 (X64) `. */
    bannerProduct: string;
    bannerBuildDate: string;
    bannerCopyright: string;
    bannerEdition: string;
    productVersion: string;
    edition: string;
    /** Version string SQL Server prints for its own Binn ESP DLLs (e.g. 2017.140.1000). */
    xpVersion: string;
    /** Resource database build version line value, e.g. 14.00.1000. */
    resourceVersion: string;
  };
  utcOffsetMinutes: number;
  /** Time zone display text used by EventLog 6013. */
  timeZoneText: string;
  hasSysmon: boolean;
  /** The machine's SID prefix (for local accounts), domain SID prefix (for domain accounts). */
  domainSid: string;
}

export const isDefaultInstance = (h: HostConfig): boolean => h.instance === 'MSSQLSERVER';
/** Event log provider name: MSSQLSERVER or MSSQL$<INSTANCE>. */
export const sqlProviderName = (h: HostConfig): string => (isDefaultInstance(h) ? 'MSSQLSERVER' : `MSSQL$${h.instance}`);
/** @@SERVERNAME: SQL01 or SQL02\REPORTING. */
export const serverName = (h: HostConfig): string => (isDefaultInstance(h) ? h.netbios : `${h.netbios}\\${h.instance}`);
export const serviceAccount = (h: HostConfig): string => `NT Service\\${sqlProviderName(h)}`;
export const instanceRoot = (h: HostConfig): string => `C:\\Program Files\\Microsoft SQL Server\\${h.instanceFolder}\\MSSQL`;
export const binnDir = (h: HostConfig): string => `${instanceRoot(h)}\\Binn`;
export const sqlservrExe = (h: HostConfig): string => `${binnDir(h)}\\sqlservr.exe`;
export const errorlogPath = (h: HostConfig): string => `${instanceRoot(h)}\\Log\\ERRORLOG`;
/** Windows path → path inside the sample folder (drive root = sample root). */
export const samplePath = (winPath: string): string => winPath.replace(/^C:\\/i, '').split('\\').join('/');
