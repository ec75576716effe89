/**
 * EVTX writer for espy's sample hosts (not shipped in the executable). Turns a declarative
 * list of events into a real .evtx file: file header, 64 KiB chunks with string and template
 * tables, one template per provider/event shape, CRC32s, record ids and timestamps.
 * Deterministic: same input, same bytes.
 */
import { eventInstance, type EventSpec, type LogContext } from './events.js';
import { assembleEvtx, type WriteOptions } from './file.js';

export type { EventSpec, LogContext, Provider, ClassicData, NamedData, UserData } from './events.js';
export { v, type TypedValue } from './values.js';

export interface EvtxLogSpec extends LogContext, WriteOptions {
  /** Record id of the first event (real logs rarely start at 1); default 1. */
  firstRecordId?: number;
  events: readonly EventSpec[];
}

/** Writes one .evtx file image. Events are written in the given order (sort them by time). */
export function writeEvtx(spec: EvtxLogSpec): Uint8Array {
  const first = BigInt(spec.firstRecordId ?? 1);
  const records = spec.events.map((e, i) => {
    const recordId = first + BigInt(i);
    return { recordId, writtenIso: e.time, root: eventInstance(e, recordId, spec) };
  });
  const opts: WriteOptions = {};
  if (spec.maxRecordsPerChunk !== undefined) opts.maxRecordsPerChunk = spec.maxRecordsPerChunk;
  return assembleEvtx(records, opts);
}
