/**
 * A small extractor for the event XML printed by evtxexport, python-evtx and espy's own
 * XML renderer, for differential tests: record id, EventID, SystemTime, EventData values.
 * Normalisation: entity unescaping, whitespace runs collapsed, GUIDs upper-case,
 * hex lower-case, times cut to a common precision.
 */
export interface XmlEventFacts {
  recordId: number;
  eventId: number;
  time: string;
  data: string[];
}

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/** Normalises one value for comparison across renderers. */
export function normValue(v: string): string {
  let s = unescape(v).replace(/\s+/g, ' ').trim();
  if (/^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(s)) s = s.replace(/[{}]/g, '').toUpperCase();
  else if (/^0x[0-9a-f]+$/i.test(s)) s = '0x' + BigInt(s).toString(16);
  else if (/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?$/.test(s)) s = normTime(s, 6);
  return s;
}

/** Time → `YYYY-MM-DDTHH:MM:SS.ffffff` with `digits` fractional digits (truncated). */
export function normTime(t: string, digits: number): string {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$/.exec(t.trim());
  if (!m) return t;
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(digits, '0').slice(0, digits)}`;
}

/** Extracts the facts of every `<Event ...>...</Event>` in `xml`. */
export function extractEvents(xml: string, timeDigits = 6): XmlEventFacts[] {
  const out: XmlEventFacts[] = [];
  const re = /<Event[ >][\s\S]*?<\/Event>/g;
  for (const m of xml.matchAll(re)) {
    const ev = m[0];
    const rid = /<EventRecordID[^>]*>\s*(\d+)\s*<\/EventRecordID>/.exec(ev);
    const eid = /<EventID[^>]*>\s*(\d+)\s*<\/EventID>/.exec(ev);
    const time = /<TimeCreated SystemTime="([^"]*)"/.exec(ev);
    const data: string[] = [];
    const ed = /<EventData>([\s\S]*?)<\/EventData>/.exec(ev);
    if (ed) {
      for (const d of (ed[1] ?? '').matchAll(/<Data(?: Name="([^"]*)")?\s*(?:\/>|>([\s\S]*?)<\/Data>)/g)) {
        data.push(`${d[1] ?? ''}=${normValue(d[2] ?? '')}`);
      }
    }
    out.push({ recordId: Number(rid?.[1] ?? -1), eventId: Number(eid?.[1] ?? -1), time: normTime(time?.[1] ?? '', timeDigits), data });
  }
  return out;
}
