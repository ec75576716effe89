/**
 * The declarative event model and the System/EventData template shapes, copied from what
 * Windows writes (checked against real logs of the EVTX corpus):
 * - classic (ReportEvent) providers such as MSSQLSERVER: Provider Name, Channel and Computer
 *   are literals in the outer template; EventData is a nested fragment with ONE `<Data>`
 *   holding a string-array substitution (0x81) and a `<Binary>` (0x0e), plus an unused
 *   uint32 slot holding the binary length (as in mdecrevoisier ID15457-*.evtx).
 * - manifest providers (Sysmon, Security-Auditing, Service Control Manager): Provider
 *   Name/Guid and Channel are substitutions, Computer a literal; EventData is a nested
 *   fragment of named `<Data Name="…">` elements with normal substitutions.
 */
import type { Instance, SubValue } from './binxml.js';
import { el, makeTemplate, opt, sub, text, type Template, type TNode } from './template.js';
import type { TypedValue } from './values.js';
import { v } from './values.js';

const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

export interface Provider {
  name: string;
  /** Manifest providers have a GUID; classic providers have none. */
  guid?: string;
  /** Written as a literal attribute on <Provider> (e.g. Service Control Manager). */
  eventSourceName?: string;
  /**
   * The GUID as a literal string attribute (`{fc65ddd8-…}`, as Microsoft-Windows-Eventlog's
   * 1102/104 carry it) instead of a GUID-typed substitution.
   */
  guidLiteral?: boolean;
}

/** Classic insertion strings plus the binary blob (SQL Server: error number, severity, …). */
export interface ClassicData { kind: 'classic'; strings: readonly string[]; binary?: Uint8Array }
/** Data fields in manifest order (name '' = unnamed <Data>). */
export interface NamedData { kind: 'named'; fields: ReadonlyArray<readonly [string, TypedValue]>; binary?: Uint8Array }
/**
 * UserData: one element in the provider's own namespace with one child element per field,
 * e.g. Microsoft-Windows-Eventlog 1102/104 `<UserData><LogFileCleared xmlns="…">…`.
 */
export interface UserData { kind: 'userdata'; element: string; xmlns: string; fields: ReadonlyArray<readonly [string, TypedValue]> }

export interface EventSpec {
  provider: Provider;
  eventId: number;
  qualifiers?: number;
  version?: number;
  level: number;
  task: number;
  opcode?: number;
  keywords: bigint;
  /** ISO-8601 UTC with Z, up to 7 fractional digits. */
  time: string;
  processId?: number;
  threadId?: number;
  userSid?: string;
  data: ClassicData | NamedData | UserData;
}

export interface LogContext { channel: string; computer: string }

const templateCache = new Map<string, Template>();
function cached(root: ReturnType<typeof el>): Template {
  const t = makeTemplate(root);
  const hit = templateCache.get(t.key);
  if (hit) return hit;
  templateCache.set(t.key, t);
  return t;
}

function classicSystem(p: Provider, ctx: LogContext): Template {
  return cached(
    el('Event', { xmlns: text(EVENT_NS) },
      el('System', {},
        el('Provider', { Name: text(p.name) }),
        el('EventID', { Qualifiers: opt(4, 'uint16') }, opt(3, 'uint16')),
        el('Level', {}, opt(0, 'uint8')),
        el('Task', {}, opt(2, 'uint16')),
        el('Keywords', {}, opt(5, 'hexInt64')),
        el('TimeCreated', { SystemTime: opt(6, 'filetime') }),
        el('EventRecordID', {}, opt(10, 'uint64')),
        el('Channel', {}, text(ctx.channel)),
        el('Computer', {}, text(ctx.computer)),
        el('Security', { UserID: opt(12, 'sid') })),
      opt(19, 'binXml')));
}

function manifestSystem(p: Provider, ctx: LogContext): Template {
  const provAttrs: Record<string, ReturnType<typeof opt> | ReturnType<typeof text>> = {
    Name: opt(14, 'string'),
    Guid: p.guidLiteral && p.guid !== undefined ? text(p.guid) : opt(15, 'guid'),
  };
  if (p.eventSourceName !== undefined) provAttrs.EventSourceName = text(p.eventSourceName);
  return cached(
    el('Event', { xmlns: text(EVENT_NS) },
      el('System', {},
        el('Provider', provAttrs),
        el('EventID', { Qualifiers: opt(4, 'uint16') }, opt(3, 'uint16')),
        el('Version', {}, opt(11, 'uint8')),
        el('Level', {}, opt(0, 'uint8')),
        el('Task', {}, opt(2, 'uint16')),
        el('Opcode', {}, opt(1, 'uint8')),
        el('Keywords', {}, opt(5, 'hexInt64')),
        el('TimeCreated', { SystemTime: opt(6, 'filetime') }),
        el('EventRecordID', {}, opt(10, 'uint64')),
        el('Correlation', { ActivityID: opt(7, 'guid'), RelatedActivityID: opt(13, 'guid') }),
        el('Execution', { ProcessID: opt(8, 'uint32'), ThreadID: opt(9, 'uint32') }),
        el('Channel', {}, opt(16, 'string')),
        el('Computer', {}, text(ctx.computer)),
        el('Security', { UserID: opt(12, 'sid') })),
      opt(17, 'binXml')));
}

const CLASSIC_DATA = cached(el('EventData', {}, el('Data', {}, opt(0, 'stringArray')), el('Binary', {}, opt(2, 'binary'))));

function classicData(d: ClassicData): Instance {
  const bin = d.binary;
  return { template: CLASSIC_DATA, values: [v.strings(d.strings), v.u32(bin?.length ?? 0), bin ? v.binary(bin) : v.null()] };
}

function namedData(d: NamedData): Instance {
  // An empty name writes <Data> without a Name attribute (manifest events such as Security-SPP 16384).
  const children: TNode[] = d.fields.map(([name, val], i) => el('Data', name === '' ? {} : { Name: text(name) }, sub(i, val.type)));
  const values: SubValue[] = d.fields.map(([, val]) => val);
  if (d.binary) {
    children.push(el('Binary', {}, opt(d.fields.length, 'binary')));
    values.push(v.binary(d.binary));
  }
  return { template: cached(el('EventData', {}, ...children)), values };
}

function userData(d: UserData): Instance {
  const children: TNode[] = d.fields.map(([name, val], i) => el(name, {}, sub(i, val.type)));
  return { template: cached(el('UserData', {}, el(d.element, { xmlns: text(d.xmlns) }, ...children))), values: d.fields.map(([, val]) => val) };
}

/** Builds the record's root template instance (System template + nested EventData fragment). */
export function eventInstance(e: EventSpec, recordId: bigint, ctx: LogContext): Instance {
  const data = e.data.kind === 'classic' ? classicData(e.data) : e.data.kind === 'userdata' ? userData(e.data) : namedData(e.data);
  const common: SubValue[] = [
    v.u8(e.level),
    v.u8(e.opcode ?? 0),
    v.u16(e.task),
    v.u16(e.eventId),
    e.qualifiers !== undefined ? v.u16(e.qualifiers) : v.null(),
    v.hex64(e.keywords),
    v.filetime(e.time),
    v.null(),
    v.u32(e.processId ?? 0),
    v.u32(e.threadId ?? 0),
    v.u64(recordId),
    v.u8(e.version ?? 0),
    e.userSid !== undefined ? v.sid(e.userSid) : v.null(),
    v.null(),
  ];
  if (e.provider.guid === undefined) {
    return { template: classicSystem(e.provider, ctx), values: [...common, v.null(), v.null(), v.null(), v.null(), v.null(), { type: 'binXml', value: data }] };
  }
  return {
    template: manifestSystem(e.provider, ctx),
    values: [...common, v.str(e.provider.name), v.guid(e.provider.guid), v.str(ctx.channel), { type: 'binXml', value: data }],
  };
}
