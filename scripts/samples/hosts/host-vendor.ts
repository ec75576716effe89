/**
 * host-vendor: SQL07.corp.example.com, same platform as host-maggie (Windows Server 2016, SQL
 * Server 2017 default instance, UTC+1, Sysmon). A DBA installed a third-party ESP: Contoso's
 * SQL audit helper, C:\Program Files\Contoso\SQL Audit\ctxaudit.dll, registered as
 * xp_ctx_audit_status and xp_ctx_audit_flush and run by a nightly job. The DLL is
 * Authenticode-signed by a Contoso test CA (scripts/samples/dlls/signing/contoso-root.crt);
 * with that CA given as `--trust` the signature is valid. A valid non-Microsoft signature says
 * who built the DLL, not that its ESP belongs on this server: still worth a look, no alarm.
 */
import { factsOf, HostBuilder } from '../lib/host-builder.js';
import { samplePath, type HostConfig } from '../lib/host-config.js';
import { sysmonUtc } from '../lib/clock.js';
import * as sql from '../lib/sql-messages.js';
import { sysmonImageLoad } from '../lib/win-events.js';
import {
  binnLoad, dll, HOUR, layout, ms, nightlyBackups, placeBinn, routineLogins, sqlExports, sqlservrStarted, windowsNoise, type Background, type DllBytes,
} from './common.js';
import { MAGGIE_CONFIG } from './host-maggie.js';

export const VENDOR_CONFIG: HostConfig = { ...MAGGIE_CONFIG, id: 'host-vendor', netbios: 'SQL07', fqdn: 'SQL07.corp.example.com' };

export const VENDOR_STORY = {
  /** Build output of the signed vendor DLL (scripts/samples/dlls/signing/sign.sh). */
  dllBuild: 'ctxaudit.signed.dll',
  dllPath: 'C:\\Program Files\\Contoso\\SQL Audit\\ctxaudit.dll',
  procedures: ['xp_ctx_audit_flush', 'xp_ctx_audit_status'],
  /** The CA to pass as `--trust` (relative to the repository root). */
  trustAnchor: 'scripts/samples/dlls/signing/contoso-root.crt',
  times: {
    boot: '2026-05-04T05:10:12.000Z',
    sqlStart: '2026-05-04T05:11:30.420Z',
    espRegistered: '2026-05-05T13:02:41.317Z',
    espFirstLoad: '2026-05-05T22:00:03.810Z',
    collected: '2026-05-07T08:00:00.000Z',
  },
} as const;

export function buildHostVendor(dlls: DllBytes): Map<string, Uint8Array> {
  const cfg = VENDOR_CONFIG;
  const S = VENDOR_STORY;
  const T = (k: keyof typeof S.times): number => ms(S.times[k]);
  const b = new HostBuilder(cfg, 0x7e4d0);
  const bg: Background = { databases: ['Audit', 'Inventory'], appServerIp: '10.10.20.71', appLogin: 'inventory_app', dbaIp: '10.10.20.15', dbaLogin: 'CORP\\dba.jsmith', auditSuccess: true };
  const admin = { user: 'dba.jsmith', sid: `${cfg.domainSid}-1187`, ip: '10.10.20.15' };

  b.startup(T('sqlStart'), 1984, 1940, '5/4/2026 7:08:40 AM (local) 5/4/2026 5:08:40 AM (UTC)', bg.databases);
  sqlservrStarted(b, T('sqlStart'));
  binnLoad(b, dlls, T('sqlStart') + 47_880, 'spid51', 'xpstar.dll', 'xp_instance_regread');
  binnLoad(b, dlls, T('sqlStart') + 48_610, 'spid51', 'xpsqlbot.dll', 'xp_qv');
  binnLoad(b, dlls, ms('2026-05-04T09:31:02.500Z'), 'spid58', 'xplog70.dll', 'xp_msver');

  const vendor = dll(dlls, S.dllBuild);
  const t = T('espFirstLoad');
  b.sql(t, 'spid66', sql.loadingLibrary(S.dllPath));
  const s = b.sqlservr!;
  b.sysmon.push(sysmonImageLoad(b.evtxTime(t + 4), sysmonUtc(t + 3), {
    process: { pid: s.pid, image: s.image, guid: s.guid, user: s.user },
    imageLoaded: S.dllPath,
    fileVersion: '3.2.0.11',
    description: 'Contoso SQL audit extended procedures (espy sample, inert)',
    product: 'Contoso SQL Audit',
    company: 'Contoso Ltd.',
    originalFileName: 'ctxaudit.dll',
    hashes: `MD5=${factsOf(vendor).md5.toUpperCase()},SHA256=${factsOf(vendor).sha256.toUpperCase()}`,
    signed: true,
    signature: 'Contoso Ltd.',
    // The vendor's root is installed on this server, so Windows calls it valid.
    signatureStatus: 'Valid',
  }));
  b.sql(t + 15, 'spid66', sql.usingXp(S.dllPath, '3.2.0', S.procedures[1]));
  nightlyBackups(b, bg, T('sqlStart'), T('collected'));
  routineLogins(b, bg, T('sqlStart') + HOUR, T('collected'));
  windowsNoise(b, T('sqlStart') - 2 * 60_000, T('collected'), [T('boot')], admin);

  const placed = new Map<string, Uint8Array>();
  placeBinn(cfg, dlls, placed);
  placed.set(samplePath(S.dllPath), vendor);
  const exports = sqlExports(cfg, {
    esps: S.procedures.map((name) => ({ name, dll: S.dllPath, created: T('espRegistered'), msShipped: false })),
    principals: [{ name: 'inventory_app', type: 'SQL_LOGIN', created: '2024-11-07 11:20:05.903' }],
    sysadmins: [],
    config: {},
  });
  return layout(b, { app: 44120, system: 20915, security: 1_002_348, sysmon: 287_113 }, placed, exports);
}
