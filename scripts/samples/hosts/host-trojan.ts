/**
 * host-trojan: SQL06.corp.example.com, same platform as host-maggie (Windows Server 2016, SQL
 * Server 2017 default instance, UTC+1, Sysmon). A quiet attacker with a stolen DBA account
 * replaced the instance's Binn\xpstar.dll with a DLL exporting xpstar's own procedure names,
 * carrying a Microsoft version resource and an Authenticode signature made with a self-made
 * certificate whose subject reads `O=Microsoft Corporation, CN=Microsoft Corporation`. After the
 * next service start SQL Server loads it like the real one (33090 + 8128 for xp_dirtree, Sysmon
 * 7 with the signer's name). No brute force, no xp_cmdshell, no new ESP, no new login: the
 * signature (it verifies, but chains to no trust anchor) is the one thing that gives it away.
 */
import { factsOf, HostBuilder } from '../lib/host-builder.js';
import { binnDir, samplePath, type HostConfig } from '../lib/host-config.js';
import { sysmonUtc } from '../lib/clock.js';
import * as sql from '../lib/sql-messages.js';
import { sysmonImageLoad } from '../lib/win-events.js';
import {
  binnLoad, dll, HOUR, layout, ms, nightlyBackups, placeBinn, routineLogins, sqlExports, sqlservrStarted, windowsNoise, type Background, type DllBytes,
} from './common.js';
import { MAGGIE_CONFIG } from './host-maggie.js';

export const TROJAN_CONFIG: HostConfig = { ...MAGGIE_CONFIG, id: 'host-trojan', netbios: 'SQL06', fqdn: 'SQL06.corp.example.com' };

export const TROJAN_STORY = {
  /** Build output of the signed trojan (scripts/samples/dlls/signing/sign.sh). */
  dllBuild: 'xpstar-trojan.signed.dll',
  dllName: 'xpstar.dll',
  procedure: 'xp_dirtree',
  forgedSubject: 'C=US, ST=Washington, L=Redmond, O=Microsoft Corporation, CN=Microsoft Corporation',
  times: {
    boot: '2026-04-14T03:02:40.000Z',
    sqlStart: '2026-04-14T03:04:02.180Z',
    trojanFirstLoad: '2026-04-15T02:47:19.640Z',
    collected: '2026-04-17T10:00:00.000Z',
  },
} as const;

export function buildHostTrojan(dlls: DllBytes): Map<string, Uint8Array> {
  const cfg = TROJAN_CONFIG;
  const S = TROJAN_STORY;
  const T = (k: keyof typeof S.times): number => ms(S.times[k]);
  const b = new HostBuilder(cfg, 0x7a0e5);
  const bg: Background = { databases: ['Payroll', 'Timesheets'], appServerIp: '10.10.20.61', appLogin: 'payroll_app', dbaIp: '10.10.20.15', dbaLogin: 'CORP\\dba.jsmith', auditSuccess: true };
  const admin = { user: 'dba.jsmith', sid: `${cfg.domainSid}-1187`, ip: '10.10.20.15' };

  b.startup(T('sqlStart'), 2212, 2148, '4/14/2026 5:01:12 AM (local) 4/14/2026 3:01:12 AM (UTC)', bg.databases);
  sqlservrStarted(b, T('sqlStart'));
  // xplog70 and xpsqlbot are the stand-ins every sample host has; xpstar is loaded first at night.
  binnLoad(b, dlls, T('sqlStart') + 49_310, 'spid52', 'xpsqlbot.dll', 'xp_qv');
  binnLoad(b, dlls, ms('2026-04-14T08:12:44.020Z'), 'spid63', 'xplog70.dll', 'xp_msver');
  const trojan = dll(dlls, S.dllBuild);
  const path = `${binnDir(cfg)}\\${S.dllName}`;
  const t = T('trojanFirstLoad');
  b.sql(t, 'spid71', sql.loadingLibrary(S.dllName));
  const s = b.sqlservr!;
  b.sysmon.push(sysmonImageLoad(b.evtxTime(t + 4), sysmonUtc(t + 3), {
    process: { pid: s.pid, image: s.image, guid: s.guid, user: s.user },
    imageLoaded: path,
    fileVersion: '2017.140.1000.169',
    description: 'SQL Server XP star (espy sample trojan, inert)',
    product: 'Microsoft SQL Server',
    company: 'Microsoft Corporation',
    originalFileName: S.dllName,
    hashes: `MD5=${factsOf(trojan).md5.toUpperCase()},SHA256=${factsOf(trojan).sha256.toUpperCase()}`,
    signed: true,
    signature: 'Microsoft Corporation',
    // What Windows says of a chain ending in a root it does not trust.
    signatureStatus: 'A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.',
  }));
  b.sql(t + 15, 'spid71', sql.usingXp(S.dllName, cfg.sql.xpVersion, S.procedure));
  nightlyBackups(b, bg, T('sqlStart'), T('collected'));
  routineLogins(b, bg, T('sqlStart') + HOUR, T('collected'));
  windowsNoise(b, T('sqlStart') - 2 * 60_000, T('collected'), [T('boot')], admin);

  const placed = new Map<string, Uint8Array>();
  placeBinn(cfg, dlls, placed);
  placed.set(samplePath(path), trojan);
  const exports = sqlExports(cfg, {
    esps: [],
    principals: [{ name: 'payroll_app', type: 'SQL_LOGIN', created: '2024-11-06 09:41:27.310' }],
    sysadmins: [],
    config: {},
  });
  return layout(b, { app: 51877, system: 23410, security: 1_204_733, sysmon: 318_902 }, placed, exports);
}
