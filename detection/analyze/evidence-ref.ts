import type { EvidenceRef } from '../analysis-result.js';
import { namedField } from '../../parsers/common/event-data.js';
import type { SourcedEvent } from './inputs.js';

const MAX_EXCERPT_CHARS = 400;
/** The decisive part is kept whole up to this size (a command line can be long). */
const MAX_DECISIVE_CHARS = 1_200;

/**
 * Fields that say what an event did (the program run and its command line, the DLL
 * loaded, the file written, the account used). Shown after the fields the rule matched,
 * because a rule often matches on the parent (`ParentImage` ends with `sqlservr.exe`)
 * while the responder needs the child's command line.
 */
const WHAT_IT_DID_FIELDS = ['CommandLine', 'NewProcessName', 'Image', 'ImageLoaded', 'TargetFilename', 'ServiceFileName', 'ImagePath', 'TargetUserName'] as const;

/** System fields every rule names for its logsource: they never decide a match on their own. */
const NOT_DECISIVE = new Set(['EventID', 'Channel', 'Provider_Name', 'Provider', 'Computer', 'Level']);

export function excerpt(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_EXCERPT_CHARS ? `${one.slice(0, MAX_EXCERPT_CHARS - 1)}…` : one;
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * The part of an event that decides it: `Name=value` of the fields the rule read, then of
 * the fields that say what the event did. Undefined when the event has none of them (SQL
 * Server messages, whose whole text is the excerpt).
 */
export function decisiveOf(ev: SourcedEvent, ruleFields: readonly string[] = []): string | undefined {
  const names: string[] = [];
  for (const f of [...ruleFields, ...WHAT_IT_DID_FIELDS]) if (!NOT_DECISIVE.has(f) && !names.includes(f)) names.push(f);
  const parts: string[] = [];
  for (const n of names) {
    const v = namedField(ev.event, n);
    if (v !== undefined && v.trim() !== '' && v !== '-') parts.push(`${n}=${v}`);
  }
  return parts.length > 0 ? clip(parts.join('; '), MAX_DECISIVE_CHARS) : undefined;
}

/**
 * The evidence reference of an event: artefact, record id or line, offset, time, excerpt,
 * and the decisive fields (those the rule matched and what the event did).
 */
export function refOf(ev: SourcedEvent, ruleFields?: readonly string[]): EvidenceRef {
  const ref: EvidenceRef = { artefact: ev.artefact, kind: ev.kind, excerpt: excerpt(ev.message) };
  const decisive = decisiveOf(ev, ruleFields);
  if (decisive) ref.decisive = decisive;
  if (ev.storedPath) ref.storedPath = ev.storedPath;
  if (ev.origin.recordId !== undefined) ref.recordId = ev.origin.recordId;
  if (ev.origin.line !== undefined) ref.line = ev.origin.line;
  if (ev.origin.offset !== undefined) ref.offset = ev.origin.offset;
  if (ev.summary.timestamp) ref.timestamp = ev.summary.timestamp;
  return ref;
}

/** First and last time of the logged evidence; file-system times only when there is nothing else. */
export function timeRange(refs: readonly EvidenceRef[]): { firstSeen?: string; lastSeen?: string } {
  const logged = refs.filter((r) => r.kind !== 'pe' && r.timestamp);
  const ts = (logged.length > 0 ? logged : refs)
    .map((r) => r.timestamp)
    .filter((t): t is string => Boolean(t))
    .sort();
  const out: { firstSeen?: string; lastSeen?: string } = {};
  if (ts[0]) out.firstSeen = ts[0];
  const last = ts[ts.length - 1];
  if (last) out.lastSeen = last;
  return out;
}
