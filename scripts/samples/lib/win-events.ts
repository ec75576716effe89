/**
 * Event shapes for the Windows providers in the samples (field lists, types, System values
 * copied from real records of the EVTX corpus: Sysmon 1 v5 / 7 v3, Security 4624 v2,
 * 4688 v2, 4672, 4634, Service Control Manager 7036, EventLog 6013, ESENT 326/327).
 */
import { createHash } from 'node:crypto';
import { v, type EventSpec, type Provider, type TypedValue } from '../evtx-writer/index.js';

export const SYSMON: Provider = { name: 'Microsoft-Windows-Sysmon', guid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}' };
export const SECURITY: Provider = { name: 'Microsoft-Windows-Security-Auditing', guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}' };
export const SCM: Provider = { name: 'Service Control Manager', guid: '{555908d1-a6d7-4695-8e1e-26931d2012f4}', eventSourceName: 'Service Control Manager' };
export const EVENTLOG: Provider = { name: 'EventLog' };
export const ESENT: Provider = { name: 'ESENT' };
export const SPP: Provider = { name: 'Microsoft-Windows-Security-SPP', guid: '{E23B33B0-C8C9-472C-A5F9-F2BDFEA0F156}', eventSourceName: 'Software Protection Platform Service' };

/** Security-SPP 16384 "Successfully scheduled Software Protection service for re-start at %1. Reason: %2." (unnamed Data). */
export function spp16384(time: string, restartIso: string): EventSpec {
  return {
    provider: SPP, eventId: 16384, qualifiers: 16384, level: 4, task: 0, keywords: 0x0080000000000000n, time,
    data: { kind: 'named', fields: [['', v.str(restartIso)], ['', v.str('RulesEngine')]] },
  };
}

/** Windows service SID: S-1-5-80 + the SHA-1 of the upper-case service name (UTF-16LE). */
export function serviceSid(service: string): string {
  const h = createHash('sha1').update(Buffer.from(service.toUpperCase(), 'utf16le')).digest();
  return `S-1-5-80-${[0, 4, 8, 12, 16].map((i) => h.readUInt32LE(i)).join('-')}`;
}

export interface FileFacts { md5: string; sha256: string }

/**
 * Hashes for a file. Our own sample files get their real hashes; Windows binaries that are not
 * in the sample tree get a PLACEHOLDER derived from their path (documented in samples/README.md).
 */
export function hashesField(f: FileFacts): string {
  return `MD5=${f.md5.toUpperCase()},SHA256=${f.sha256.toUpperCase()}`;
}
export function placeholderFacts(winPath: string): FileFacts {
  const seed = `espy-sample-placeholder:${winPath.toLowerCase()}`;
  return { md5: createHash('md5').update(seed).digest('hex'), sha256: createHash('sha256').update(seed).digest('hex') };
}

/** A Sysmon-style process GUID, deterministic from host, pid and start time. */
export function processGuid(host: string, pid: number, t: number): string {
  const h = createHash('sha256').update(`${host}:${pid}:${t}`).digest('hex');
  return `{8c3f2a51-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}-${h.slice(12, 24)}}`;
}

export interface ProcessInfo {
  pid: number;
  image: string;
  commandLine: string;
  currentDirectory: string;
  user: string;
  /** SID of `user`. */
  userSid: string;
  logonId: bigint;
  integrity: 'System' | 'High' | 'Medium';
  fileVersion: string;
  description: string;
  product: string;
  company: string;
  originalFileName: string;
  hashes: string;
  parent: { pid: number; image: string; commandLine: string; guid: string; user: string };
  guid: string;
}

export function sysmonProcessCreate(time: string, utcTime: string, p: ProcessInfo, logonGuid: string): EventSpec {
  const fields: Array<[string, TypedValue]> = [
    ['RuleName', v.str('-')],
    ['UtcTime', v.str(utcTime)],
    ['ProcessGuid', v.guid(p.guid)],
    ['ProcessId', v.u32(p.pid)],
    ['Image', v.str(p.image)],
    ['FileVersion', v.str(p.fileVersion)],
    ['Description', v.str(p.description)],
    ['Product', v.str(p.product)],
    ['Company', v.str(p.company)],
    ['OriginalFileName', v.str(p.originalFileName)],
    ['CommandLine', v.str(p.commandLine)],
    ['CurrentDirectory', v.str(p.currentDirectory)],
    ['User', v.str(p.user)],
    ['LogonGuid', v.guid(logonGuid)],
    ['LogonId', v.hex64(p.logonId)],
    ['TerminalSessionId', v.u32(0)],
    ['IntegrityLevel', v.str(p.integrity)],
    ['Hashes', v.str(p.hashes)],
    ['ParentProcessGuid', v.guid(p.parent.guid)],
    ['ParentProcessId', v.u32(p.parent.pid)],
    ['ParentImage', v.str(p.parent.image)],
    ['ParentCommandLine', v.str(p.parent.commandLine)],
    ['ParentUser', v.str(p.parent.user)],
  ];
  return { provider: SYSMON, eventId: 1, version: 5, level: 4, task: 1, keywords: 0x8000000000000000n, time, processId: 2316, threadId: 3104, userSid: 'S-1-5-18', data: { kind: 'named', fields } };
}

export interface ImageLoad {
  process: { pid: number; image: string; guid: string; user: string };
  imageLoaded: string;
  fileVersion: string;
  description: string;
  product: string;
  company: string;
  originalFileName: string;
  hashes: string;
  signed: boolean;
  signature: string;
  signatureStatus: string;
}

export function sysmonImageLoad(time: string, utcTime: string, l: ImageLoad): EventSpec {
  const fields: Array<[string, TypedValue]> = [
    ['RuleName', v.str('-')],
    ['UtcTime', v.str(utcTime)],
    ['ProcessGuid', v.guid(l.process.guid)],
    ['ProcessId', v.u32(l.process.pid)],
    ['Image', v.str(l.process.image)],
    ['ImageLoaded', v.str(l.imageLoaded)],
    ['FileVersion', v.str(l.fileVersion)],
    ['Description', v.str(l.description)],
    ['Product', v.str(l.product)],
    ['Company', v.str(l.company)],
    ['OriginalFileName', v.str(l.originalFileName)],
    ['Hashes', v.str(l.hashes)],
    ['Signed', v.str(l.signed ? 'true' : 'false')],
    ['Signature', v.str(l.signature)],
    ['SignatureStatus', v.str(l.signatureStatus)],
    ['User', v.str(l.process.user)],
  ];
  return { provider: SYSMON, eventId: 7, version: 3, level: 4, task: 7, keywords: 0x8000000000000000n, time, processId: 2316, threadId: 3108, userSid: 'S-1-5-18', data: { kind: 'named', fields } };
}

export interface Subject { sid: string; user: string; domain: string; logonId: bigint }

export function security4688(time: string, s: Subject, p: { pid: number; image: string; commandLine: string; parentPid: number; parentImage: string; label: string }, threadId: number): EventSpec {
  const fields: Array<[string, TypedValue]> = [
    ['SubjectUserSid', v.sid(s.sid)],
    ['SubjectUserName', v.str(s.user)],
    ['SubjectDomainName', v.str(s.domain)],
    ['SubjectLogonId', v.hex64(s.logonId)],
    ['NewProcessId', v.sizeT(p.pid)],
    ['NewProcessName', v.str(p.image)],
    ['TokenElevationType', v.str('%%1936')],
    ['ProcessId', v.sizeT(p.parentPid)],
    ['CommandLine', v.str(p.commandLine)],
    ['TargetUserSid', v.sid('S-1-0-0')],
    ['TargetUserName', v.str('-')],
    ['TargetDomainName', v.str('-')],
    ['TargetLogonId', v.hex64(0)],
    ['ParentProcessName', v.str(p.parentImage)],
    ['MandatoryLabel', v.sid(p.label)],
  ];
  return { provider: SECURITY, eventId: 4688, version: 2, level: 0, task: 13312, keywords: 0x8020000000000000n, time, processId: 4, threadId, data: { kind: 'named', fields } };
}

export interface Logon {
  targetSid: string; targetUser: string; targetDomain: string; targetLogonId: bigint;
  logonType: number; logonProcess: string; authPackage: string; workstation: string;
  ip: string; port: string; processName: string; processId: number; elevated: boolean;
}

export function security4624(time: string, l: Logon, host: string, threadId: number): EventSpec {
  const net = l.logonType === 3;
  const fields: Array<[string, TypedValue]> = [
    ['SubjectUserSid', v.sid(net ? 'S-1-0-0' : 'S-1-5-18')],
    ['SubjectUserName', v.str(net ? '-' : `${host}$`)],
    ['SubjectDomainName', v.str(net ? '-' : l.targetDomain === 'NT AUTHORITY' ? 'WORKGROUP' : l.targetDomain)],
    ['SubjectLogonId', v.hex64(net ? 0 : 0x3e7)],
    ['TargetUserSid', v.sid(l.targetSid)],
    ['TargetUserName', v.str(l.targetUser)],
    ['TargetDomainName', v.str(l.targetDomain)],
    ['TargetLogonId', v.hex64(l.targetLogonId)],
    ['LogonType', v.u32(l.logonType)],
    ['LogonProcessName', v.str(l.logonProcess)],
    ['AuthenticationPackageName', v.str(l.authPackage)],
    ['WorkstationName', v.str(l.workstation)],
    ['LogonGuid', v.guid('{00000000-0000-0000-0000-000000000000}')],
    ['TransmittedServices', v.str('-')],
    ['LmPackageName', v.str('-')],
    ['KeyLength', v.u32(0)],
    ['ProcessId', v.sizeT(l.processId)],
    ['ProcessName', v.str(l.processName)],
    ['IpAddress', v.str(l.ip)],
    ['IpPort', v.str(l.port)],
    ['ImpersonationLevel', v.str('%%1833')],
    ['RestrictedAdminMode', v.str('-')],
    ['TargetOutboundUserName', v.str('-')],
    ['TargetOutboundDomainName', v.str('-')],
    ['VirtualAccount', v.str(l.targetDomain === 'NT SERVICE' ? '%%1842' : '%%1843')],
    ['TargetLinkedLogonId', v.hex64(0)],
    ['ElevatedToken', v.str(l.elevated ? '%%1842' : '%%1843')],
  ];
  return { provider: SECURITY, eventId: 4624, version: 2, level: 0, task: 12544, keywords: 0x8020000000000000n, time, processId: 612, threadId, data: { kind: 'named', fields } };
}

export function security4672(time: string, s: Subject, threadId: number): EventSpec {
  const privileges = 'SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeAuditPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege';
  const fields: Array<[string, TypedValue]> = [
    ['SubjectUserSid', v.sid(s.sid)],
    ['SubjectUserName', v.str(s.user)],
    ['SubjectDomainName', v.str(s.domain)],
    ['SubjectLogonId', v.hex64(s.logonId)],
    ['PrivilegeList', v.str(privileges)],
  ];
  return { provider: SECURITY, eventId: 4672, version: 0, level: 0, task: 12548, keywords: 0x8020000000000000n, time, processId: 612, threadId, data: { kind: 'named', fields } };
}

export function security4634(time: string, s: Subject, logonType: number, threadId: number): EventSpec {
  const fields: Array<[string, TypedValue]> = [
    ['TargetUserSid', v.sid(s.sid)],
    ['TargetUserName', v.str(s.user)],
    ['TargetDomainName', v.str(s.domain)],
    ['TargetLogonId', v.hex64(s.logonId)],
    ['LogonType', v.u32(logonType)],
  ];
  return { provider: SECURITY, eventId: 4634, version: 0, level: 0, task: 12545, keywords: 0x8020000000000000n, time, processId: 612, threadId, data: { kind: 'named', fields } };
}

/** SCM 7036 "The %1 service entered the %2 state." Binary = UTF-16 `<service>/<state code>`. */
export function scm7036(time: string, displayName: string, serviceName: string, running: boolean): EventSpec {
  const state = running ? 'running' : 'stopped';
  const binary = new Uint8Array(Buffer.from(`${serviceName}/${running ? 4 : 1}\0`, 'utf16le'));
  return {
    provider: SCM, eventId: 7036, qualifiers: 16384, level: 4, task: 0, keywords: 0x8080000000000000n, time, processId: 596, threadId: 2140,
    data: { kind: 'named', fields: [['param1', v.str(displayName)], ['param2', v.str(state)]], binary },
  };
}

/** EventLog 6013 (system uptime): classic, two empty insertion strings first, as Windows writes it. */
export function eventlog6013(time: string, uptimeSeconds: number, tzText: string): EventSpec {
  return {
    provider: EVENTLOG, eventId: 6013, qualifiers: 32768, level: 4, task: 0, keywords: 0x0080000000000000n, time,
    data: { kind: 'classic', strings: ['', '', String(uptimeSeconds), '60', tzText] },
  };
}

/** ESENT 326/327: the User Access Logging database attached/detached (Server 2016 noise). */
export function esent(time: string, attach: boolean, pid: number): EventSpec {
  const strings = ['svchost', `${pid},D,50`, '', 'C:\\Windows\\system32\\LogFiles\\Sum\\Svc.mdb', attach ? '0' : '15'];
  return { provider: ESENT, eventId: attach ? 326 : 327, qualifiers: 0, level: 4, task: attach ? 1 : 1, keywords: 0x0080000000000000n, time, data: { kind: 'classic', strings } };
}

/** Microsoft-Windows-Eventlog: writes 1102 (Security cleared) and 104 (a log cleared, in System). */
export const EVENTLOG_MANIFEST: Provider = { name: 'Microsoft-Windows-Eventlog', guid: '{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}', guidLiteral: true };
const EVENTLOG_NS = 'http://manifests.microsoft.com/win/2004/08/windows/eventlog';

/** Eventlog 1102 "The audit log was cleared.": the first record of the emptied Security log. */
export function eventlog1102(time: string, s: Subject): EventSpec {
  const fields: Array<[string, TypedValue]> = [
    ['SubjectUserSid', v.sid(s.sid)],
    ['SubjectUserName', v.str(s.user)],
    ['SubjectDomainName', v.str(s.domain)],
    ['SubjectLogonId', v.hex64(s.logonId)],
  ];
  return { provider: EVENTLOG_MANIFEST, eventId: 1102, version: 0, level: 4, task: 104, keywords: 0x4020000000000000n, time, processId: 712, threadId: 748, data: { kind: 'userdata', element: 'LogFileCleared', xmlns: EVENTLOG_NS, fields } };
}

/** Eventlog 104 "The %Channel% log file was cleared.", written to System; Security UserID is the clearer. */
export function eventlog104(time: string, s: Subject, channel: string): EventSpec {
  const fields: Array<[string, TypedValue]> = [
    ['SubjectUserName', v.str(s.user)],
    ['SubjectDomainName', v.str(s.domain)],
    ['Channel', v.str(channel)],
    ['BackupPath', v.str('')],
  ];
  return { provider: EVENTLOG_MANIFEST, eventId: 104, version: 0, level: 4, task: 104, keywords: 0x8000000000000000n, time, processId: 712, threadId: 1912, userSid: s.sid, data: { kind: 'userdata', element: 'LogFileCleared', xmlns: EVENTLOG_NS, fields } };
}

/** Security 4719 "System audit policy was changed." (field list of a real record in the corpus). */
export function security4719(time: string, s: Subject, change: { categoryId: string; subcategoryId: string; subcategoryGuid: string; changes: string }, threadId: number): EventSpec {
  const fields: Array<[string, TypedValue]> = [
    ['SubjectUserSid', v.sid(s.sid)],
    ['SubjectUserName', v.str(s.user)],
    ['SubjectDomainName', v.str(s.domain)],
    ['SubjectLogonId', v.hex64(s.logonId)],
    ['CategoryId', v.str(change.categoryId)],
    ['SubcategoryId', v.str(change.subcategoryId)],
    ['SubcategoryGuid', v.guid(change.subcategoryGuid)],
    ['AuditPolicyChanges', v.str(change.changes)],
  ];
  return { provider: SECURITY, eventId: 4719, version: 0, level: 0, task: 13568, keywords: 0x8020000000000000n, time, processId: 492, threadId, data: { kind: 'named', fields } };
}
