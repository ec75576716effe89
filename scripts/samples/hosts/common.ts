/**
 * Shared pieces of every sample host: background activity (backups, Binn ESP loads, app
 * logins, Windows noise), the SQL exports, and the file layout of a collected system drive.
 */
import { writeEvtx, type EventSpec } from '../evtx-writer/index.js';
import { ms, sqlDateTime } from '../lib/clock.js';
import { renderCsv } from '../lib/csv.js';
import { renderErrorlog } from '../lib/errorlog.js';
import { factsOf, type HostBuilder, type Proc } from '../lib/host-builder.js';
import { errorlogPath, samplePath, serverName, type HostConfig } from '../lib/host-config.js';
import * as sql from '../lib/sql-messages.js';
import { esent, eventlog6013, scm7036, spp16384, placeholderFacts, hashesField, security4624, security4634, security4672, type Subject } from '../lib/win-events.js';

export const HOUR = 3_600_000;
export const MIN = 60_000;

/** The committed sample DLLs, by build output name. */
export type DllBytes = ReadonlyMap<string, Uint8Array>;

export const SYSTEM_SUBJECT: Subject = { sid: 'S-1-5-18', user: 'SYSTEM', domain: 'NT AUTHORITY', logonId: 0x3e7n };

/** Binn ESP DLLs every host has (stand-ins built from scripts/samples/dlls). */
export const BINN_DLLS = [
  { name: 'xpstar.dll', procs: ['xp_instance_regread', 'xp_instance_regwrite', 'xp_regread', 'xp_regwrite', 'xp_regenumvalues', 'xp_fixeddrives', 'xp_dirtree'], desc: 'SQL Server XP star stand-in (espy sample, inert)' },
  { name: 'xplog70.dll', procs: ['xp_msver', 'xp_cmdshell', 'xp_enumgroups', 'xp_logevent', 'xp_loginconfig'], desc: 'SQL Server XP log stand-in (espy sample, inert)' },
  { name: 'xpsqlbot.dll', procs: ['xp_qv'], desc: 'SQL Server XP bot stand-in (espy sample, inert)' },
] as const;

/** Build output name of a Binn stand-in for this host's SQL Server version. */
export function binnBuildName(cfg: HostConfig, dll: string): string {
  return cfg.sql.xpVersion.startsWith('2017') ? dll : dll.replace('.dll', '-2016.dll');
}

export function dll(dlls: DllBytes, name: string): Uint8Array {
  const b = dlls.get(name);
  if (!b) throw new Error(`sample DLL ${name} missing from scripts/samples/dlls/out (run scripts/samples/dlls/build.sh)`);
  return b;
}

/** Benign first use of a Binn ESP DLL (what SQL Agent, SSMS and maintenance jobs cause). */
export function binnLoad(b: HostBuilder, dlls: DllBytes, t: number, spid: string, dllName: string, proc: string): void {
  const def = BINN_DLLS.find((d) => d.name === dllName)!;
  const bytes = dll(dlls, binnBuildName(b.cfg, dllName));
  const fv = `${b.cfg.sql.xpVersion}.${b.cfg.sql.xpVersion.startsWith('2017') ? '169' : '5'}`;
  b.espLoad(t, spid, dllName, b.cfg.sql.xpVersion, proc, { path: `${b.binn}\\${dllName}`, facts: factsOf(bytes), desc: def.desc, original: dllName, fileVersion: fv, signed: true });
}

export interface Background {
  /** Application databases started at each startup and backed up nightly. */
  databases: string[];
  appServerIp: string;
  appLogin: string;
  dbaIp: string;
  dbaLogin: string;
  /** Whether SQL Server audits successful logins too (18453/18454 in the logs). */
  auditSuccess: boolean;
}

/** Nightly full backups at 23:30 local, as the maintenance plan writes them. */
export function nightlyBackups(b: HostBuilder, bg: Background, fromMs: number, toMs: number): void {
  const off = b.cfg.utcOffsetMinutes * MIN;
  const dayStart = Math.floor((fromMs + off) / (24 * HOUR)) * 24 * HOUR - off;
  let lsn = 4120;
  for (let d = dayStart; d < toMs; d += 24 * HOUR) {
    const t = d + 23.5 * HOUR + b.int(2, 50) * 1000;
    if (t < fromMs || t > toMs) continue;
    for (const db of ['master', 'msdb', ...bg.databases]) {
      const stamp = sqlDateTime(t, b.cfg.utcOffsetMinutes).slice(0, 10).replaceAll('-', '');
      const pages = db === 'master' ? b.int(450, 520) : db === 'msdb' ? b.int(1900, 2300) : b.int(180_000, 240_000);
      const first = `${lsn}:${b.int(100, 9000)}:${b.int(1, 300)}`;
      lsn += b.int(3, 40);
      const last = `${lsn}:${b.int(100, 9000)}:1`;
      b.sql(t, 'Backup', sql.databaseBackedUp(db, db === 'master' || db === 'msdb' ? '2017/08/22 19:39:18' : '2024/11/04 10:12:33', pages, first, last, `D:\\Backup\\${db}_FULL_${stamp}.bak`));
    }
  }
}

/** Application and DBA logins through the day (only logged when success auditing is on). */
export function routineLogins(b: HostBuilder, bg: Background, fromMs: number, toMs: number): void {
  if (!bg.auditSuccess) return;
  for (let t = fromMs + 2 * HOUR; t < toMs; t += b.int(3, 7) * HOUR) {
    b.sql(t, 'Logon', sql.loginSucceeded(bg.appLogin, bg.appServerIp, false));
    if (b.int(0, 2) === 0) b.sql(t + b.int(5, 40) * MIN, 'Logon', sql.loginSucceeded(bg.dbaLogin, bg.dbaIp, true));
  }
}

/** Windows noise: daily 6013, ESENT UAL attach/detach, logons and logoffs, scheduled task hosts. */
export function windowsNoise(b: HostBuilder, fromMs: number, toMs: number, boots: readonly number[], admin: { user: string; sid: string; ip: string }): void {
  const c = b.cfg;
  let logonId = 0x2a7f00n;
  for (let t = fromMs; t < toMs; t += b.int(50, 110) * MIN) {
    const lt = t + b.int(0, 59) * 1000;
    const r = b.int(0, 9);
    if (r < 5) {
      // service logon (type 5) as SYSTEM with special privileges
      logonId += BigInt(b.int(1, 400));
      b.security.push(security4624(b.evtxTime(lt), { targetSid: 'S-1-5-18', targetUser: 'SYSTEM', targetDomain: 'NT AUTHORITY', targetLogonId: 0x3e7n, logonType: 5, logonProcess: 'Advapi  ', authPackage: 'Negotiate', workstation: '-', ip: '-', port: '-', processName: 'C:\\Windows\\System32\\services.exe', processId: 596, elevated: true }, c.netbios, b.nextThread()));
      b.security.push(security4672(b.evtxTime(lt + 1), SYSTEM_SUBJECT, b.nextThread()));
    } else if (r < 8) {
      // DBA or monitoring over the network (type 3), then logoff
      logonId += BigInt(b.int(1, 4000));
      const s: Subject = { sid: admin.sid, user: admin.user, domain: c.domain, logonId };
      b.security.push(security4624(b.evtxTime(lt), { targetSid: admin.sid, targetUser: admin.user, targetDomain: c.domain.toUpperCase(), targetLogonId: logonId, logonType: 3, logonProcess: 'Kerberos', authPackage: 'Kerberos', workstation: '-', ip: admin.ip, port: String(b.int(49152, 65000)), processName: '-', processId: 0, elevated: true }, c.netbios, b.nextThread()));
      b.security.push(security4634(b.evtxTime(lt + b.int(2, 30) * 1000), s, 3, b.nextThread()));
    } else {
      // scheduled task host
      const pid = b.int(1000, 9000) & ~3;
      const exe = 'C:\\Windows\\System32\\taskhostw.exe';
      b.process(lt, {
        pid, image: exe, commandLine: 'taskhostw.exe Install $(Arg0)', currentDirectory: 'C:\\Windows\\system32\\', user: 'NT AUTHORITY\\SYSTEM', logonId: 0x3e7n, integrity: 'System',
        fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'Host Process for Windows Tasks', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'taskhostw.exe',
        hashes: hashesField(placeholderFacts(exe)), parent: SVCHOST, subject: SYSTEM_SUBJECT, label: 'S-1-16-16384',
      });
    }
  }
  const off = c.utcOffsetMinutes * MIN;
  for (let d = Math.floor((fromMs + off) / (24 * HOUR)) * 24 * HOUR - off + 12 * HOUR; d < toMs; d += 24 * HOUR) {
    if (d < fromMs) continue;
    const boot = boots.filter((x) => x <= d).at(-1);
    if (boot === undefined) throw new Error('6013 before the first boot');
    b.system.push(eventlog6013(b.evtxTime(d), Math.floor((d - boot) / 1000), c.timeZoneText));
    const pid = 1500 + b.int(0, 300) * 4;
    const wmi = d - 8 * HOUR + b.int(0, 3600) * 1000;
    if (wmi > fromMs) {
      b.system.push(scm7036(b.evtxTime(wmi), 'Windows Modules Installer', 'TrustedInstaller', true));
      b.system.push(scm7036(b.evtxTime(wmi + b.int(300, 900) * 1000), 'Windows Modules Installer', 'TrustedInstaller', false));
    }
    b.app.push(esent(b.evtxTime(d + 15 * MIN), true, pid));
    const spp = d - 5 * HOUR + b.int(0, 1800) * 1000;
    if (spp > fromMs) b.app.push(spp16384(b.evtxTime(spp), `${new Date(spp + 24 * HOUR + b.int(0, 3600) * 1000).toISOString().slice(0, 19)}Z`));
    b.app.push(esent(b.evtxTime(d + 15 * MIN + 1200), false, pid));
  }
}

export const SVCHOST: Proc = { pid: 1044, image: 'C:\\Windows\\System32\\svchost.exe', commandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs', guid: '{8c3f2a51-0000-0000-0000-000000000001}', user: 'NT AUTHORITY\\SYSTEM' };
export const SERVICES: Proc = { pid: 596, image: 'C:\\Windows\\System32\\services.exe', commandLine: 'C:\\Windows\\system32\\services.exe', guid: '{8c3f2a51-0000-0000-0000-000000000002}', user: 'NT AUTHORITY\\SYSTEM' };

/** Sysmon 1 + 4688 for the SQL Server service process itself at startup. */
export function sqlservrStarted(b: HostBuilder, t: number): void {
  const s = b.sqlservr!;
  b.process(t - 2600, {
    pid: s.pid, image: s.image, commandLine: s.commandLine, currentDirectory: 'C:\\Windows\\system32\\', user: s.user, logonId: b.serviceSubject.logonId, integrity: 'High',
    fileVersion: `${b.cfg.sql.xpVersion}.${b.cfg.sql.xpVersion.startsWith('2017') ? '169' : '5'} ((SQLServer).170822-2340)`, description: 'SQL Server Windows NT - 64 Bit', product: 'Microsoft SQL Server', company: 'Microsoft Corporation', originalFileName: 'sqlservr.exe',
    hashes: hashesField(placeholderFacts(s.image)), parent: SERVICES, subject: SYSTEM_SUBJECT, label: 'S-1-16-12288',
  });
}

// ----- SQL exports ---------------------------------------------------------------------------

export interface EspRow { name: string; dll: string; created: number | string; msShipped: boolean }
export interface PrincipalRow { name: string; type: string; created: number | string; modified?: number | string; disabled?: boolean }

const MS_SHIPPED_DATE = '2017-08-22 19:40:12.460';
const MS_SHIPPED_DATE_2016 = '2016-04-30 00:47:22.813';

export function sqlExports(cfg: HostConfig, extra: { esps: EspRow[]; principals: PrincipalRow[]; sysadmins: Array<[string, string]>; config: Record<string, number> }): Map<string, Uint8Array> {
  const d = (x: number | string): string => (typeof x === 'number' ? sqlDateTime(x, cfg.utcOffsetMinutes) : x);
  const shipped = cfg.sql.xpVersion.startsWith('2017') ? MS_SHIPPED_DATE : MS_SHIPPED_DATE_2016;
  const esps: EspRow[] = [...BINN_DLLS.flatMap((b) => b.procs.map((p) => ({ name: p, dll: b.name, created: shipped, msShipped: true }))), ...extra.esps];
  esps.sort((a, b) => a.name.localeCompare(b.name));
  const svc = cfg.instance === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${cfg.instance}`;
  const agent = cfg.instance === 'MSSQLSERVER' ? 'SQLSERVERAGENT' : `SQLAgent$${cfg.instance}`;
  const installed = cfg.sql.xpVersion.startsWith('2017') ? '2024-11-04 09:58:31.207' : '2021-06-14 15:22:08.540';
  const principals: PrincipalRow[] = [
    { name: 'sa', type: 'SQL_LOGIN', created: '2003-04-08 09:10:35.460', modified: installed },
    { name: 'public', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'sysadmin', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'securityadmin', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'serveradmin', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'setupadmin', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'processadmin', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'diskadmin', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'dbcreator', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: 'bulkadmin', type: 'SERVER_ROLE', created: '2009-04-13 12:59:06.390' },
    { name: '##MS_SQLResourceSigningCertificate##', type: 'CERTIFICATE_MAPPED_LOGIN', created: installed },
    { name: '##MS_PolicyEventProcessingLogin##', type: 'SQL_LOGIN', created: installed, disabled: true },
    { name: '##MS_PolicyTsqlExecutionLogin##', type: 'SQL_LOGIN', created: installed, disabled: true },
    { name: 'NT AUTHORITY\\SYSTEM', type: 'WINDOWS_LOGIN', created: installed },
    { name: `NT SERVICE\\${svc}`, type: 'WINDOWS_LOGIN', created: installed },
    { name: `NT SERVICE\\${agent}`, type: 'WINDOWS_LOGIN', created: installed },
    { name: 'NT SERVICE\\SQLWriter', type: 'WINDOWS_LOGIN', created: installed },
    { name: 'NT SERVICE\\Winmgmt', type: 'WINDOWS_LOGIN', created: installed },
    { name: `${cfg.domain}\\SQL-Admins`, type: 'WINDOWS_GROUP', created: installed },
    ...extra.principals,
  ];
  principals.sort((a, b) => d(b.created).localeCompare(d(a.created)) || a.name.localeCompare(b.name));
  const sysadmins: Array<[string, string]> = [
    ['sa', 'SQL_LOGIN'], ['NT SERVICE\\SQLWriter', 'WINDOWS_LOGIN'], ['NT SERVICE\\Winmgmt', 'WINDOWS_LOGIN'],
    [`NT SERVICE\\${svc}`, 'WINDOWS_LOGIN'], [`NT SERVICE\\${agent}`, 'WINDOWS_LOGIN'], [`${cfg.domain}\\SQL-Admins`, 'WINDOWS_GROUP'], ...extra.sysadmins,
  ];
  const config: Record<string, number> = {
    'Ad Hoc Distributed Queries': 0, 'clr enabled': 0, 'clr strict security': 1, 'cross db ownership chaining': 0, 'external scripts enabled': 0,
    'max server memory (MB)': 12288, 'Ole Automation Procedures': 0, 'remote access': 1, 'remote admin connections': 0, 'scan for startup procs': 0,
    'show advanced options': 0, 'xp_cmdshell': 0, ...extra.config,
  };
  return new Map([
    ['extended_procedures.csv', renderCsv(['name', 'dll_name', 'create_date', 'modify_date', 'is_ms_shipped'], esps.map((e) => [e.name, e.dll, d(e.created), d(e.created), e.msShipped ? 1 : 0]))],
    ['server_principals.csv', renderCsv(['name', 'type_desc', 'create_date', 'modify_date', 'is_disabled'], principals.map((p) => [p.name, p.type, d(p.created), d(p.modified ?? p.created), p.disabled ? 1 : 0]))],
    ['sysadmins.csv', renderCsv(['role_name', 'member_name', 'member_type_desc'], sysadmins.map(([m, t]) => ['sysadmin', m, t]))],
    ['configurations.csv', renderCsv(['name', 'value', 'value_in_use'], Object.keys(config).sort((a, b) => a.localeCompare(b)).map((k) => [k, config[k]!, config[k]!]))],
    ['server_info.csv', renderCsv(['server_name', 'product_version', 'edition', 'errorlog_path', 'utc_offset_minutes'], [[serverName(cfg), cfg.sql.productVersion, cfg.sql.edition, errorlogPath(cfg), cfg.utcOffsetMinutes]])],
  ]);
}

// ----- layout --------------------------------------------------------------------------------

const byTime = (events: EventSpec[]): EventSpec[] => [...events].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));

/** All files of a host, keyed by path relative to the host folder. */
export function layout(b: HostBuilder, firstIds: Record<'app' | 'system' | 'security' | 'sysmon', number>, placed: Map<string, Uint8Array>, exports: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const c = b.cfg;
  const out = new Map<string, Uint8Array>();
  const logs = 'Windows/System32/winevt/Logs';
  out.set(`${logs}/Application.evtx`, writeEvtx({ channel: 'Application', computer: c.fqdn, firstRecordId: firstIds.app, events: byTime(b.app) }));
  out.set(`${logs}/System.evtx`, writeEvtx({ channel: 'System', computer: c.fqdn, firstRecordId: firstIds.system, events: byTime(b.system) }));
  out.set(`${logs}/Security.evtx`, writeEvtx({ channel: 'Security', computer: c.fqdn, firstRecordId: firstIds.security, events: byTime(b.security) }));
  if (c.hasSysmon) {
    out.set(`${logs}/Microsoft-Windows-Sysmon%4Operational.evtx`, writeEvtx({ channel: 'Microsoft-Windows-Sysmon/Operational', computer: c.fqdn, firstRecordId: firstIds.sysmon, events: byTime(b.sysmon) }));
  }
  const logDir = samplePath(errorlogPath(c)).replace(/\/ERRORLOG$/, '');
  const gens = [...b.errorlogs].reverse();
  gens.forEach((lines, i) => {
    const sorted = [...lines].sort((x, y) => x.t - y.t);
    out.set(`${logDir}/${i === 0 ? 'ERRORLOG' : `ERRORLOG.${i}`}`, renderErrorlog(sorted, c.utcOffsetMinutes));
  });
  for (const [p, bytes] of placed) out.set(p, bytes);
  for (const [name, bytes] of exports) out.set(`sql/${name}`, bytes);
  return out;
}

/** Places the Binn stand-ins of this host's version. */
export function placeBinn(cfg: HostConfig, dlls: DllBytes, placed: Map<string, Uint8Array>): void {
  const binn = samplePath(`C:\\Program Files\\Microsoft SQL Server\\${cfg.instanceFolder}\\MSSQL\\Binn`);
  for (const d of BINN_DLLS) placed.set(`${binn}/${d.name}`, dll(dlls, binnBuildName(cfg, d.name)));
}

export { ms };

// ----- Windows binaries that appear in process events ----------------------------------------

const WIN_BUILD = '10.0.14393.0 (rs1_release.160715-1616)';
const WIN_PRODUCT = 'Microsoft® Windows® Operating System';
export const WINDOWS_EXES: Record<string, { description: string; original: string }> = {
  'cmd.exe': { description: 'Windows Command Processor', original: 'Cmd.Exe' },
  'whoami.exe': { description: 'whoami - displays logged on user information', original: 'whoami.exe' },
  'net.exe': { description: 'Net Command', original: 'net.exe' },
  'net1.exe': { description: 'Net Command', original: 'net1.exe' },
  'certutil.exe': { description: 'CertUtil.exe', original: 'CertUtil.exe' },
  'ipconfig.exe': { description: 'IP Configuration Utility', original: 'ipconfig.exe' },
  'powershell.exe': { description: 'Windows PowerShell', original: 'PowerShell.EXE' },
  'sqlcmd.exe': { description: 'T-SQL execution utility', original: 'sqlcmd.exe' },
};

/** A Windows binary started by `parent` under `subject`: Sysmon 1 (if installed) + 4688. */
export function winProc(b: HostBuilder, t: number, pid: number, exe: string, commandLine: string, parent: Proc, subject: Subject, user: string): Proc {
  const name = exe.split('\\').at(-1)!.toLowerCase();
  const meta = WINDOWS_EXES[name] ?? { description: name, original: name };
  return b.process(t, {
    pid, image: exe, commandLine, currentDirectory: 'C:\\Windows\\system32\\', user, logonId: subject.logonId, integrity: subject.sid === 'S-1-5-18' ? 'System' : 'High',
    fileVersion: WIN_BUILD, description: meta.description, product: WIN_PRODUCT, company: 'Microsoft Corporation', originalFileName: meta.original,
    hashes: hashesField(placeholderFacts(exe)), parent, subject, label: subject.sid === 'S-1-5-18' ? 'S-1-16-16384' : 'S-1-16-12288',
  });
}
