import { elementText, type EventJson, type JsonValue } from './event.js';

/**
 * Reading EventData out of the evtx_dump shape (analysis heuristics, SQL Server messages;
 * Sigma rules read through their own EventView). Classic providers (MSSQLSERVER) carry unnamed insertion strings in
 * one of three real forms:
 *  - `Data: {"#text": ["a", "b"]}` (several <Data> elements, evtx_dump's usual rendering),
 *  - `Data: "a"` (one <Data> element),
 *  - `Data: "<string>a</string>\n<string>b</string>"`: one <Data> holding the strings
 *    wrapped in <string> tags (seen in the real MSSQL$RADAR events of the corpus,
 *    mdecrevoisier_EVTX-to-MITRE-Attack).
 */

function asObject(v: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function scalarText(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return '';
  return String(v);
}

const STRING_TAG = /<string>([\s\S]*?)<\/string>/g;

/** Splits a `<string>a</string><string>b</string>` blob; plain text stays one value. */
function splitStringTags(s: string): string[] {
  if (!s.includes('<string>')) return [s];
  const out: string[] = [];
  for (const m of s.matchAll(STRING_TAG)) out.push(m[1] ?? '');
  return out.length > 0 ? out : [s];
}

export function eventData(ev: EventJson): Record<string, JsonValue> | undefined {
  return asObject(ev.Event['EventData']);
}

/** The unnamed insertion strings of a classic event, in order (empty when none). */
export function insertionStrings(ev: EventJson): string[] {
  const data = eventData(ev);
  if (!data) return [];
  const raw = elementText(data['Data']);
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw.flatMap((v) => splitStringTags(scalarText(v)));
  if (typeof raw === 'object') return [];
  return splitStringTags(String(raw));
}

/** A named EventData field (`Image`, `ImageLoaded`, ...) as text. */
export function namedField(ev: EventJson, name: string): string | undefined {
  const data = eventData(ev);
  if (!data || !(name in data)) return undefined;
  const v = elementText(data[name]);
  if (v === undefined || v === null || typeof v === 'object') return undefined;
  return String(v);
}
