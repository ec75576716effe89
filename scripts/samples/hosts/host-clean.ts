/**
 * host-clean: SQL03.corp.example.com, same platform as host-maggie (Windows Server 2016,
 * SQL Server 2017 default instance, UTC+1, Sysmon), benign activity only: Binn ESP loads,
 * backups, application logins, a DBA running sqlcmd, three failed logins from an internal
 * application server (a stale password), and the dbghelp line that only looks like an ESP load.
 */
import { HostBuilder } from '../lib/host-builder.js';
import type { HostConfig } from '../lib/host-config.js';
import * as sql from '../lib/sql-messages.js';
import {
  binnLoad, HOUR, layout, MIN, ms, nightlyBackups, placeBinn, routineLogins, SERVICES, sqlExports, sqlservrStarted, windowsNoise, winProc, type Background, type DllBytes,
} from './common.js';
import { MAGGIE_CONFIG } from './host-maggie.js';

export const CLEAN_CONFIG: HostConfig = { ...MAGGIE_CONFIG, id: 'host-clean', netbios: 'SQL03', fqdn: 'SQL03.corp.example.com' };

export const CLEAN_STORY = {
  internalIp: '10.10.20.57',
  times: {
    boot: '2026-03-09T06:10:02.000Z',
    sqlStart: '2026-03-09T06:11:40.610Z',
    failedLogins: '2026-03-11T07:45:12.240Z',
    sqlcmdRun: '2026-03-12T09:20:05.300Z',
    collected: '2026-03-13T09:30:00.000Z',
  },
} as const;

export function buildHostClean(dlls: DllBytes): Map<string, Uint8Array> {
  const cfg = CLEAN_CONFIG;
  const S = CLEAN_STORY;
  const T = (k: keyof typeof S.times): number => ms(S.times[k]);
  const b = new HostBuilder(cfg, 0xc1ea4);
  const bg: Background = { databases: ['Intranet', 'HR'], appServerIp: '10.10.20.57', appLogin: 'intranet_app', dbaIp: '10.10.20.15', dbaLogin: 'CORP\\dba.jsmith', auditSuccess: true };
  const admin = { user: 'dba.jsmith', sid: `${cfg.domainSid}-1187`, ip: '10.10.20.15' };

  b.startup(T('sqlStart'), 1876, 1912, '3/9/2026 7:08:55 AM (local) 3/9/2026 6:08:55 AM (UTC)', bg.databases);
  sqlservrStarted(b, T('sqlStart'));
  binnLoad(b, dlls, T('sqlStart') + 50_120, 'spid51', 'xpstar.dll', 'xp_instance_regread');
  binnLoad(b, dlls, T('sqlStart') + 50_940, 'spid51', 'xpsqlbot.dll', 'xp_qv');
  binnLoad(b, dlls, ms('2026-03-09T09:02:17.830Z'), 'spid60', 'xplog70.dll', 'xp_msver');
  for (const m of sql.dbghelpTrap()) b.sql(ms('2026-03-10T14:40:09.120Z'), 'spid58', m);
  nightlyBackups(b, bg, T('sqlStart'), T('collected'));
  routineLogins(b, bg, T('sqlStart') + HOUR, T('collected'));
  for (let i = 0; i < 3; i++) b.sql(T('failedLogins') + i * 1870, 'Logon', sql.loginFailed('intranet_app', 8, S.internalIp));
  b.sql(T('failedLogins') + 6 * MIN, 'Logon', sql.loginSucceeded('intranet_app', S.internalIp, false));

  // the DBA runs a maintenance script from an admin shell (benign process tree, not from sqlservr)
  const dba = { sid: admin.sid, user: admin.user, domain: cfg.domain, logonId: 0x5c2e11n };
  const ps = winProc(b, T('sqlcmdRun'), 3816, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe', SERVICES, dba, `${cfg.domain}\\${admin.user}`);
  winProc(b, T('sqlcmdRun') + 41_000, 4410, 'C:\\Program Files\\Microsoft SQL Server\\Client SDK\\ODBC\\130\\Tools\\Binn\\sqlcmd.exe', 'sqlcmd -E -S SQL03 -i C:\\Scripts\\index_maintenance.sql', ps, dba, `${cfg.domain}\\${admin.user}`);

  windowsNoise(b, T('sqlStart') - 2 * MIN, T('collected'), [T('boot')], admin);

  const placed = new Map<string, Uint8Array>();
  placeBinn(cfg, dlls, placed);
  const exports = sqlExports(cfg, {
    esps: [],
    principals: [
      { name: 'intranet_app', type: 'SQL_LOGIN', created: '2024-11-05 15:12:09.470' },
      { name: 'CORP\\svc_hr_sync', type: 'WINDOWS_LOGIN', created: '2025-02-03 10:05:44.103' },
    ],
    sysadmins: [],
    config: {},
  });
  return layout(b, { app: 30544, system: 18302, security: 902_118, sysmon: 204_551 }, placed, exports);
}
