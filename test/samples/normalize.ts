/**
 * One comparable shape for a record as three different readers print it (espy JSON,
 * evtxexport XML, python-evtx XML): record id, event id, provider, time to the microsecond,
 * and the EventData values in order (named as `Name=value`, classic strings one by one,
 * Binary as upper-case hex). Differences that are only rendering style are normalised:
 * GUID braces/case, hex zero padding, CRLF vs LF.
 */
export interface NormRecord { id: number; eventId: number; provider: string; timeUs: string; data: string[] }

const HEX = /^0x[0-9a-fA-F]+$/;
const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

export function normValue(v: string): string {
  const s = v.replace(/\r\n/g, '\n');
  // hex renderings (evtxexport pads, espy prints some hex types as numbers): compare the number
  if (HEX.test(s)) return BigInt(s).toString(10);
  const g = GUID.exec(s);
  if (g) return g[1]!.toUpperCase();
  return s;
}

/** `2026-03-11T01:12:03.412345600Z` or `2026-03-11 01:12:03.412345` → `2026-03-11T01:12:03.412345`. */
export function normTime(t: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(t);
  if (!m) throw new Error(`unparseable time ${t}`);
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0').slice(0, 6)}`;
}

/** Microseconds between two normalised times (python-evtx goes through a float and may be 1–2 µs off). */
export function usDiff(a: string, b: string): number {
  const us = (x: string): number => Date.parse(`${x.slice(0, 23)}Z`) * 1000 + Number(x.slice(23, 26));
  return Math.abs(us(a) - us(b));
}

const unescapeXml = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Parses `evtxexport -f xml` output (one `<Event>` block per record). */
export function parseEvtxexport(xml: string): NormRecord[] {
  const out: NormRecord[] = [];
  for (const block of xml.split(/<Event xmlns=/).slice(1)) {
    const id = Number(/<EventRecordID>(\d+)<\/EventRecordID>/.exec(block)?.[1]);
    const eventId = Number(/<EventID[^>]*>(\d+)<\/EventID>/.exec(block)?.[1]);
    const provider = /<Provider Name="([^"]*)"/.exec(block)?.[1] ?? '';
    const time = /<TimeCreated SystemTime="([^"]+)"/.exec(block)?.[1] ?? '';
    const ed = /<EventData>([\s\S]*?)<\/EventData>/.exec(block)?.[1] ?? '';
    const data: string[] = [];
    for (const m of ed.matchAll(/<(Data|Binary)(?: Name="([^"]*)")?(?:\/>|>([\s\S]*?)<\/\1>)/g)) {
      const val = normValue(unescapeXml(m[3] ?? ''));
      data.push(m[2] !== undefined ? `${m[2]}=${val}` : m[1] === 'Binary' ? `#bin=${val.toUpperCase()}` : val);
    }
    out.push({ id, eventId, provider: unescapeXml(provider), timeUs: normTime(time), data });
  }
  return out;
}

/** Python (Debian python3-evtx) script printing one JSON object per record. */
export const PYTHON_EVTX_SCRIPT = `
import sys, json, re, base64
import xml.etree.ElementTree as ET
from Evtx.Evtx import Evtx
NS = '{http://schemas.microsoft.com/win/2004/08/events/event}'
out = []
with Evtx(sys.argv[1]) as log:
    for rec in log.records():
        root = ET.fromstring(rec.xml())
        sysn = root.find(NS + 'System')
        data = []
        ed = root.find(NS + 'EventData')
        if ed is not None:
            for c in ed:
                tag = c.tag[len(NS):]
                text = c.text or ''
                if tag == 'Binary':
                    data.append(['#bin', base64.b64decode(text).hex().upper()])
                elif c.get('Name') is not None:
                    data.append([c.get('Name'), text])
                elif text.startswith('<string>'):
                    data.extend([None, x] for x in re.findall(r'<string>(.*?)</string>', text, re.S))
                else:
                    data.append([None, text])
        out.append({
            'id': int(sysn.find(NS + 'EventRecordID').text),
            'eventId': int(sysn.find(NS + 'EventID').text),
            'provider': sysn.find(NS + 'Provider').get('Name'),
            'time': sysn.find(NS + 'TimeCreated').get('SystemTime'),
            'data': data,
        })
print(json.dumps(out))
`;

export interface PythonRow { id: number; eventId: number; provider: string; time: string; data: Array<[string | null, string]> }

export function normPython(rows: PythonRow[]): NormRecord[] {
  return rows.map((r) => ({
    id: r.id, eventId: r.eventId, provider: r.provider, timeUs: normTime(r.time),
    data: r.data
      .filter(([name, value]) => !(name === '#bin' && value === '')) // python-evtx prints a null Binary as <Binary></Binary>
      .map(([name, value]) => (name === '#bin' ? `#bin=${value}` : name === null ? normValue(value) : `${name}=${normValue(value)}`)),
  }));
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** espy's evtx_dump-shaped JSON event → NormRecord. */
export function normEspy(recordId: number, event: Json): NormRecord {
  const ev = (event as { Event: { System: Record<string, Json>; EventData?: Record<string, Json> } }).Event;
  const sys = ev.System;
  const text = (v: Json | undefined): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) && '#text' in v ? v['#text'] : v);
  const attr = (v: Json | undefined, a: string): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v['#attributes'] as Record<string, Json> | undefined)?.[a] : undefined);
  const data: string[] = [];
  for (const [k, v] of Object.entries(ev.EventData ?? {})) {
    if (k === '#attributes') continue;
    if (k === 'Binary') {
      if (v !== null) data.push(`#bin=${String(v).toUpperCase()}`);
      continue;
    }
    if (k === 'Data') {
      const t = text(v);
      for (const s of Array.isArray(t) ? t : [t]) data.push(normValue(s === null || s === undefined ? '' : String(s)));
      continue;
    }
    data.push(`${k}=${normValue(v === null ? '' : String(text(v)))}`);
  }
  return {
    id: recordId,
    eventId: Number(text(sys.EventID)),
    provider: String(attr(sys.Provider, 'Name')),
    timeUs: normTime(String(attr(sys.TimeCreated, 'SystemTime'))),
    data,
  };
}
