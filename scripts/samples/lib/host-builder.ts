/**
 * Accumulates one host's story into every source at once, so times and names agree across
 * the Application/System/Security/Sysmon logs, the ERRORLOGs and the SQL exports.
 * Times are epoch ms (UTC); EVTX times get deterministic sub-millisecond ticks.
 */
import { createHash } from 'node:crypto';
import type { EventSpec } from '../evtx-writer/index.js';
import { isoTicks, seeded, sysmonUtc, utcAdjustment } from './clock.js';
import type { ErrorlogLine } from './errorlog.js';
import {
  binnDir, errorlogPath, instanceRoot, serverName, serviceAccount, sqlProviderName, sqlservrExe, type HostConfig,
} from './host-config.js';
import { sqlEventBinary, type SqlMessage } from './sql-messages.js';
import * as sql from './sql-messages.js';
import {
  processGuid, scm7036, security4688, serviceSid, sysmonImageLoad, sysmonProcessCreate, type FileFacts, type ProcessInfo, type Subject,
} from './win-events.js';

export function factsOf(bytes: Uint8Array): FileFacts {
  return { md5: createHash('md5').update(bytes).digest('hex'), sha256: createHash('sha256').update(bytes).digest('hex') };
}

export interface ExeInfo { path: string; fileVersion: string; description: string; product: string; company: string; originalFileName: string; hashes: string }

export interface Proc { pid: number; image: string; commandLine: string; guid: string; user: string }

export class HostBuilder {
  readonly cfg: HostConfig;
  readonly app: EventSpec[] = [];
  readonly system: EventSpec[] = [];
  readonly security: EventSpec[] = [];
  readonly sysmon: EventSpec[] = [];
  /** ERRORLOG generations, oldest first; the last one is ERRORLOG, the one before ERRORLOG.1. */
  readonly errorlogs: ErrorlogLine[][] = [];
  private readonly rnd: () => number;
  /** The running sqlservr.exe. */
  sqlservr: Proc | undefined;
  private threadSeq = 4000;

  constructor(cfg: HostConfig, seed: number) {
    this.cfg = cfg;
    this.rnd = seeded(seed);
  }

  /** EVTX time for a story time: ms plus deterministic sub-ms ticks. */
  evtxTime(t: number): string {
    return isoTicks(t, Math.floor(this.rnd() * 10000));
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  nextThread(): number {
    this.threadSeq += this.int(4, 60);
    return this.threadSeq;
  }

  get serviceSubject(): Subject {
    const name = sqlProviderName(this.cfg);
    return { sid: serviceSid(name), user: name, domain: 'NT SERVICE', logonId: 0x3e5n + 0x10000n + BigInt(this.cfg.netbios.length) };
  }

  /** One SQL Server message into the current ERRORLOG and, when reported, the Application log. */
  sql(t: number, spid: string, m: SqlMessage): void {
    const log = this.errorlogs.at(-1);
    if (!log) throw new Error('sql() before startup()');
    const source = m.source ?? spid;
    for (const text of m.lines) log.push({ t, source, text });
    if (m.app) {
      this.app.push({
        provider: { name: sqlProviderName(this.cfg) },
        eventId: m.number, qualifiers: m.app.qualifiers, level: m.app.level, task: m.app.task, keywords: m.app.keywords,
        time: this.evtxTime(t),
        data: { kind: 'classic', strings: m.app.strings, binary: sqlEventBinary(m.number, m.severity, serverName(this.cfg), m.app.database ?? 'master') },
      });
    }
  }

  /** A raw ERRORLOG line with continuation lines (banner, startup parameters). */
  raw(t: number, source: string, text: string, continuation: string[] = []): void {
    this.errorlogs.at(-1)!.push({ t, source, text, continuation });
  }

  /** Service start: new ERRORLOG generation with the real banner layout, startup sequence, SCM 7036. */
  startup(t: number, pid: number, lastPid: number | undefined, lastStopLocal: string | undefined, databases: string[]): void {
    const c = this.cfg;
    this.errorlogs.push([]);
    const root = instanceRoot(c);
    const step = (ms: number): number => (t += ms);
    const svcName = c.instance === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${c.instance}`;
    this.system.push(scm7036(this.evtxTime(t + 2600), `SQL Server (${c.instance})`, svcName, true));
    this.raw(t, 'Server', c.sql.bannerProduct, [`\t${c.sql.bannerBuildDate}`, `\t${c.sql.bannerCopyright}`, `\t${c.sql.bannerEdition}`, '']);
    step(10);
    this.raw(t, 'Server', `UTC adjustment: ${utcAdjustment(c.utcOffsetMinutes)}`);
    this.raw(t, 'Server', '(c) Microsoft Corporation.');
    this.raw(t, 'Server', 'All rights reserved.');
    this.raw(t, 'Server', `Server process ID is ${pid}.`);
    this.raw(t, 'Server', "System Manufacturer: 'VMware, Inc.', System Model: 'VMware7,1'.");
    this.raw(t, 'Server', 'Authentication mode is MIXED.');
    this.raw(t, 'Server', `Logging SQL Server messages in file '${errorlogPath(c)}'.`);
    this.raw(t, 'Server', `The service account is '${serviceAccount(c)}'. This is an informational message; no user action is required.`);
    this.raw(t, 'Server', 'Registry startup parameters: ', [`\t -d ${root}\\DATA\\master.mdf`, `\t -e ${errorlogPath(c)}`, `\t -l ${root}\\DATA\\mastlog.ldf`]);
    this.raw(t, 'Server', 'Command Line Startup Parameters:', [`\t -s "${c.instance}"`]);
    step(40);
    this.raw(t, 'Server', 'SQL Server detected 2 sockets with 2 cores per socket and 2 logical processors per socket, 4 total logical processors; using 4 logical processors based on SQL Server licensing. This is an informational message; no user action is required.');
    this.sql(t, 'Server', sql.priorityBase());
    this.raw(t, 'Server', 'Detected 16383 MB of RAM. This is an informational message; no user action is required.');
    this.raw(t, 'Server', 'Using conventional memory in the memory manager.');
    step(310);
    this.raw(t, 'Server', 'Default collation: SQL_Latin1_General_CP1_CI_AS (us_english 1033)');
    step(420);
    this.raw(t, 'Server', 'Query Store settings initialized with enabled = 1, ');
    this.raw(t, 'Server', "The maximum number of dedicated administrator connections for this instance is '0'");
    if (lastPid !== undefined && lastStopLocal !== undefined) {
      this.raw(t, 'Server', `This instance of SQL Server last reported using a process ID of ${lastPid} at ${lastStopLocal}. This is an informational message only; no user action is required.`);
    }
    step(20);
    this.raw(t, 'Server', 'Node configuration: node 0: CPU mask: 0x000000000000000f:0 Active CPU mask: 0x000000000000000f:0. This message provides a description of the NUMA configuration for this computer. This is an informational message only. No user action is required.');
    this.raw(t, 'Server', 'Using dynamic lock allocation.  Initial allocation of 2500 Lock blocks and 5000 Lock Owner blocks per node.  This is an informational message only.  No user action is required.');
    step(60);
    this.sql(t, 'spid8s', sql.startingDatabase('master'));
    step(90);
    this.raw(t, 'Server', 'CLR version v4.0.30319 loaded.');
    step(120);
    this.raw(t, 'Server', 'Common language runtime (CLR) functionality initialized using CLR version v4.0.30319 from C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\.');
    step(100);
    this.raw(t, 'spid8s', 'Resource governor reconfiguration succeeded.');
    this.raw(t, 'spid8s', 'SQL Server Audit is starting the audits. This is an informational message. No user action is required.');
    this.raw(t, 'spid8s', 'SQL Server Audit has started the audits. This is an informational message. No user action is required.');
    step(50);
    this.raw(t, 'spid8s', 'SQL Trace ID 1 was started by login "sa".');
    this.sql(t, 'spid8s', sql.serverNameIs(serverName(c)));
    step(30);
    this.sql(t, 'spid11s', sql.startingDatabase('mssqlsystemresource'));
    this.raw(t, 'spid11s', `The resource database build version is ${c.sql.resourceVersion}. This is an informational message only. No user action is required.`);
    this.sql(t, 'spid14s', sql.startingDatabase('msdb'));
    step(60);
    this.sql(t, 'spid11s', sql.startingDatabase('model'));
    this.raw(t, 'spid11s', 'Clearing tempdb database.');
    step(110);
    this.raw(t, 'spid17s', 'A self-generated certificate was successfully loaded for encryption.');
    const pipe = c.instance === 'MSSQLSERVER' ? '\\\\.\\pipe\\sql\\query' : `\\\\.\\pipe\\MSSQL$${c.instance}\\sql\\query`;
    this.raw(t, 'spid17s', `Server local connection provider is ready to accept connection on [ \\\\.\\pipe\\SQLLocal\\${c.instance} ].`);
    this.raw(t, 'spid17s', `Server local connection provider is ready to accept connection on [ ${pipe} ].`);
    const port = c.instance === 'MSSQLSERVER' ? 1433 : 49721;
    this.raw(t, 'spid17s', `Server is listening on [ 'any' <ipv6> ${port}].`);
    this.raw(t, 'spid17s', `Server is listening on [ 'any' <ipv4> ${port}].`);
    step(10);
    this.raw(t, 'spid17s', 'SQL Server is now ready for client connections. This is an informational message; no user action is required.');
    step(80);
    this.sql(t, 'spid11s', sql.startingDatabase('tempdb'));
    step(250);
    this.raw(t, 'spid11s', 'The tempdb database has 4 data file(s).');
    for (const [i, db] of databases.entries()) this.sql(step(15), `spid${20 + i}s`, sql.startingDatabase(db));
    this.raw(t, 'spid18s', 'The Service Broker endpoint is in disabled or stopped state.');
    this.raw(t, 'spid18s', 'The Database Mirroring endpoint is in disabled or stopped state.');
    this.raw(t, 'spid18s', 'Service Broker manager has started.');
    step(400);
    this.raw(t, 'spid8s', 'Recovery is complete. This is an informational message only. No user action is required.');
    this.sqlservr = { pid, image: sqlservrExe(c), commandLine: `"${sqlservrExe(c)}" -s${c.instance}`, guid: processGuid(c.netbios, pid, t), user: serviceAccount(c).replace('Service', 'SERVICE') };
  }

  /** Clean service stop (system shutdown) in ERRORLOG and System. */
  shutdown(t: number): void {
    const c = this.cfg;
    this.raw(t, 'Server', 'SQL Server is terminating because of a system shutdown. This is an informational message only. No user action is required.');
    this.raw(t + 1830, 'spid18s', 'Service Broker manager has shut down.');
    this.raw(t + 2410, 'spid8s', '.NET Framework runtime has been stopped.');
    this.raw(t + 4010, 'spid8s', "SQL Trace was stopped due to server shutdown. Trace ID = '1'. This is an informational message only; no user action is required.");
    const svcName = c.instance === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${c.instance}`;
    this.system.push(scm7036(this.evtxTime(t + 5200), `SQL Server (${c.instance})`, svcName, false));
  }

  /** First use of an ESP DLL: 33090 + 8128 (ERRORLOG and Application) and, with Sysmon, event 7. */
  espLoad(t: number, spid: string, dllAsRegistered: string, version: string, proc: string, load: { path: string; facts: FileFacts; desc: string; original: string; fileVersion: string; signed: boolean }): void {
    this.sql(t, spid, sql.loadingLibrary(dllAsRegistered));
    if (this.cfg.hasSysmon && this.sqlservr) {
      const s = this.sqlservr;
      this.sysmon.push(sysmonImageLoad(this.evtxTime(t + 4), sysmonUtc(t + 3), {
        process: { pid: s.pid, image: s.image, guid: s.guid, user: s.user },
        imageLoaded: load.path,
        fileVersion: load.fileVersion,
        description: load.desc,
        product: load.signed ? 'Microsoft SQL Server' : 'espy sample hosts',
        company: load.signed ? 'Microsoft Corporation' : 'espy sample fixture (not Microsoft)',
        originalFileName: load.original,
        hashes: `MD5=${load.facts.md5.toUpperCase()},SHA256=${load.facts.sha256.toUpperCase()}`,
        signed: load.signed,
        signature: load.signed ? 'Microsoft Corporation' : '-',
        signatureStatus: load.signed ? 'Valid' : 'Unavailable',
      }));
    }
    this.sql(t + 15, spid, sql.usingXp(dllAsRegistered, version, proc));
  }

  /** A process start: Sysmon 1 (when installed) and Security 4688, same pid, times and parent. */
  process(t: number, p: Omit<ProcessInfo, 'guid' | 'parent' | 'userSid'> & { parent: Proc; subject: Subject; label: string }): Proc {
    const guid = processGuid(this.cfg.netbios, p.pid, t);
    const info: ProcessInfo = { ...p, userSid: p.subject.sid, guid, parent: { pid: p.parent.pid, image: p.parent.image, commandLine: p.parent.commandLine, guid: p.parent.guid, user: p.parent.user } };
    if (this.cfg.hasSysmon) {
      const logonGuid = processGuid(this.cfg.netbios, Number(p.logonId & 0xffffn), 0);
      this.sysmon.push(sysmonProcessCreate(this.evtxTime(t + 2), sysmonUtc(t), info, logonGuid));
    }
    this.security.push(security4688(this.evtxTime(t + 1), p.subject, { pid: p.pid, image: p.image, commandLine: p.commandLine, parentPid: p.parent.pid, parentImage: p.parent.image, label: p.label }, this.nextThread()));
    return { pid: p.pid, image: p.image, commandLine: p.commandLine, guid, user: p.user };
  }

  /** The Binn folder of this instance (for benign ESP paths). */
  get binn(): string {
    return binnDir(this.cfg);
  }
}
