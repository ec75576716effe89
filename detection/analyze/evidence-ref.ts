import type { EvidenceRef } from '../analysis-result.js';
import type { SourcedEvent } from './inputs.js';

const MAX_EXCERPT_CHARS = 400;

export function excerpt(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_EXCERPT_CHARS ? `${one.slice(0, MAX_EXCERPT_CHARS - 1)}…` : one;
}

/** The evidence reference of an event: artefact, record id or line, offset, time, excerpt. */
export function refOf(ev: SourcedEvent): EvidenceRef {
  const ref: EvidenceRef = { artefact: ev.artefact, kind: ev.kind, excerpt: excerpt(ev.message) };
  if (ev.storedPath) ref.storedPath = ev.storedPath;
  if (ev.origin.recordId !== undefined) ref.recordId = ev.origin.recordId;
  if (ev.origin.line !== undefined) ref.line = ev.origin.line;
  if (ev.origin.offset !== undefined) ref.offset = ev.origin.offset;
  if (ev.summary.timestamp) ref.timestamp = ev.summary.timestamp;
  return ref;
}
