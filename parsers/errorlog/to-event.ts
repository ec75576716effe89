/**
 * An ERRORLOG entry in the EVTX event model (parsers/common/event.ts, the evtx_dump JSON
 * shape), so the same Sigma rules run over both. See MAPPING.md.
 *
 *   { "Event": { "#attributes": { "xmlns": EVENT_XMLNS },
 *     "System": { "Provider": { "#attributes": { "Name": "MSSQL$SQLEXPRESS" } },
 *                 "EventID": 18456,
 *                 "TimeCreated": { "#attributes": { "SystemTime": "2022-05-09T14:21:29.8200000Z" } },
 *                 "Channel": "Application", "Computer": "DESKTOP-JJ4KJ3L" },
 *     "EventData": { "Data": { "#text": ["sa", " Reason: ...", " [CLIENT: 10.0.0.5]"] }, "Binary": null },
 *     "ErrorLog": { "Source": "Logon", "LocalTime": "2022-05-09 17:21:29.82", "Line": 12,
 *                   "Text": "Login failed ...", "Severity": 14, "State": 8 } } }
 *
 * `ErrorLog` is espy's own block (not in EVTX): where the entry came from and what the
 * event log keeps only in its binary blob (severity, state).
 */
import { EVENT_XMLNS, type EventJson, type JsonObject } from '../common/event.js';

export interface EventFields {
  provider: string;
  computer: string;
  eventId: number;
  utcTime: string;
  data: readonly string[];
  source: string;
  localTime: string;
  timeBasis: string;
  line: number;
  text: string;
  error?: { severity: number; state: number } | undefined;
}

export function toEvent(f: EventFields): EventJson {
  const errorLog: JsonObject = {
    Source: f.source,
    LocalTime: f.localTime,
    TimeBasis: f.timeBasis,
    Line: f.line,
    Text: f.text,
  };
  if (f.error) {
    errorLog['Severity'] = f.error.severity;
    errorLog['State'] = f.error.state;
  }
  return {
    Event: {
      '#attributes': { xmlns: EVENT_XMLNS },
      System: {
        Provider: { '#attributes': { Name: f.provider } },
        EventID: f.eventId,
        TimeCreated: { '#attributes': { SystemTime: f.utcTime } },
        Channel: 'Application',
        Computer: f.computer,
      },
      EventData: { Data: f.data.length > 0 ? { '#text': [...f.data] } : null, Binary: null },
      ErrorLog: errorLog,
    },
  };
}
