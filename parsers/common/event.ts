/**
 * The one event model every parser produces and every rule reads: the JSON shape the Rust
 * evtx crate's `evtx_dump` writes (shape below). EVTX records
 * are rendered to it; ERRORLOG entries are mapped into it (provider = the SQL instance), so
 * the same Sigma rules run over both.
 *
 *   { "Event": { "#attributes": { "xmlns": "..." },
 *                "System": { "Provider": { "#attributes": { "Name": "...", "Guid": "..." } },
 *                            "EventID": 8128 | { "#attributes": { "Qualifiers": 16384 }, "#text": 8128 },
 *                            "TimeCreated": { "#attributes": { "SystemTime": "2022-...Z" } },
 *                            "EventRecordID": 12, "Channel": "Application", "Computer": "SQL01", ... },
 *                "EventData": { "Image": "C:\\..." } | { "Data": { "#text": ["a", "b"] }, "Binary": "0A0B" },
 *                "UserData": { ... } } }
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const EVENT_XMLNS = 'http://schemas.microsoft.com/win/2004/08/events/event';

/** A record in evtx_dump's JSON shape. */
export interface EventJson {
  Event: JsonObject;
}

/** Where an event came from, for evidence references. */
export interface EventOrigin {
  /** 'evtx' record, or 'errorlog' line. */
  kind: 'evtx' | 'errorlog';
  /** EVTX: EventRecordID. */
  recordId?: number;
  /** ERRORLOG: 1-based line number of the entry's first line. */
  line?: number;
  /** Byte offset of the record / line in its file. */
  offset?: number;
  /** EVTX: recovered from chunk slack. */
  recovered?: boolean;
}

/** Flattened, commonly needed facts about an event (derived from `Event.System`). */
export interface EventSummary {
  provider: string;
  eventId: number;
  channel: string;
  computer: string;
  /** ISO-8601 UTC, 7 fractional digits where the source has them. */
  timestamp: string;
  recordId?: number;
}

function asObject(v: JsonValue | undefined): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

/** Element value whether written bare or as `{ "#text": v, "#attributes": {...} }`. */
export function elementText(v: JsonValue | undefined): JsonValue | undefined {
  const o = asObject(v);
  if (o && '#text' in o) return o['#text'];
  return v;
}

/** Attribute `name` of an element value, if any. */
export function elementAttribute(v: JsonValue | undefined, name: string): JsonValue | undefined {
  const attrs = asObject(asObject(v)?.['#attributes']);
  return attrs?.[name];
}

/** Reads the System block of an event into an `EventSummary`. Missing fields become ''/0. */
export function summarizeEvent(ev: EventJson): EventSummary {
  const system = asObject(ev.Event['System']) ?? {};
  const idv = elementText(system['EventID']);
  const ridv = elementText(system['EventRecordID']);
  const out: EventSummary = {
    provider: String(elementAttribute(system['Provider'], 'Name') ?? ''),
    eventId: typeof idv === 'number' ? idv : Number(idv ?? 0) || 0,
    channel: String(elementText(system['Channel']) ?? ''),
    computer: String(elementText(system['Computer']) ?? ''),
    timestamp: String(elementAttribute(system['TimeCreated'], 'SystemTime') ?? ''),
  };
  if (typeof ridv === 'number') out.recordId = ridv;
  return out;
}
