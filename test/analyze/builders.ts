import type { EventJson } from '../../parsers/common/event.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import type { ArtefactStats, SourcedEvent } from '../../detection/analyze/inputs.js';
import type { AssembleMeta } from '../../detection/analyze/assemble.js';

let nextRecord = 1;

/** A classic MSSQL event in evtx_dump shape (unnamed Data list). */
export function mssqlEvent(eventId: number, ts: string, data: string[], provider = 'MSSQLSERVER'): SourcedEvent {
  const recordId = nextRecord++;
  const event: EventJson = {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: provider } },
        EventID: { '#attributes': { Qualifiers: 16384 }, '#text': eventId },
        TimeCreated: { '#attributes': { SystemTime: ts } },
        EventRecordID: recordId,
        Channel: 'Application',
        Computer: 'SQL01',
      },
      EventData: { Data: { '#text': data }, Binary: null },
    },
  };
  return {
    event,
    summary: summarizeEvent(event),
    origin: { kind: 'evtx', recordId },
    artefact: 'C:\\Windows\\System32\\winevt\\Logs\\Application.evtx',
    kind: 'evtx',
    message: data.join(' '),
  };
}

/** A Sysmon event with named data. */
export function sysmonEvent(eventId: number, ts: string, data: Record<string, string>): SourcedEvent {
  const recordId = nextRecord++;
  const event: EventJson = {
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' } },
        EventID: eventId,
        TimeCreated: { '#attributes': { SystemTime: ts } },
        EventRecordID: recordId,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'SQL01',
      },
      EventData: data,
    },
  };
  return {
    event,
    summary: summarizeEvent(event),
    origin: { kind: 'evtx', recordId },
    artefact: 'C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx',
    kind: 'evtx',
    message: JSON.stringify(data),
  };
}

export function stats(label: string, artefact: string, ids: number[], kind: 'evtx' | 'errorlog' = 'evtx'): ArtefactStats {
  return { artefact, kind, label, records: ids.length, failed: 0, recovered: 0, notes: [], eventIds: new Set(ids), first: '2026-03-10T00:00:00.0000000Z', last: '2026-03-15T00:00:00.0000000Z' };
}

/** The run facts of a synthetic analysis: fixed version and time, no rules loaded, `known` Microsoft ESPs. */
export function testMeta(known: AssembleMeta['known'] = { dlls: new Set(['xpstar.dll']), procedures: new Set(['xp_instance_regread']) }): AssembleMeta {
  return {
    espyVersion: '0.0.0-test',
    generatedAt: '2026-03-20T00:00:00.000Z',
    source: { kind: 'folder', path: '/x' },
    ruleLoad: { sigmaLoaded: 0, sigmaRejected: [], yaraRules: 0, yaraErrors: [] },
    known,
    timings: {},
  };
}
