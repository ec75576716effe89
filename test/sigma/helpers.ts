import type { EventJson, JsonObject } from '../../parsers/common/event.js';

/** A Sysmon-style event (named EventData) in the evtx_dump shape. */
export function sysmonEvent(eventId: number, data: JsonObject, time = '2024-05-01T10:00:00.000000Z'): EventJson {
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' } },
        EventID: eventId,
        TimeCreated: { '#attributes': { SystemTime: time } },
        EventRecordID: 1,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'SQL01',
        Security: { '#attributes': { UserID: 'S-1-5-18' } },
      },
      EventData: data,
    },
  };
}

/** A Security-channel event. */
export function securityEvent(eventId: number, data: JsonObject, time = '2024-05-01T10:00:00.000000Z'): EventJson {
  const e = sysmonEvent(eventId, data, time);
  const sys = e.Event['System'] as JsonObject;
  sys['Channel'] = 'Security';
  sys['Provider'] = { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing' } };
  return e;
}

/** A classic SQL Server Application event: unnamed Data insertion strings + Binary. */
export function mssqlEvent(eventId: number, data: string[], opts: { provider?: string; time?: string; recordId?: number } = {}): EventJson {
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: opts.provider ?? 'MSSQLSERVER' } },
        EventID: { '#attributes': { Qualifiers: 16384 }, '#text': eventId },
        Level: 4,
        Task: 3,
        Keywords: '0x80000000000000',
        TimeCreated: { '#attributes': { SystemTime: opts.time ?? '2024-05-01T10:00:00.000000Z' } },
        EventRecordID: opts.recordId ?? 1,
        Channel: 'Application',
        Computer: 'SQL01',
        Security: null,
      },
      EventData: { Data: { '#text': data }, Binary: '401F0000' },
    },
  };
}

/** A rule text with the given detection block (YAML, indented by 4) over a logsource. */
export function ruleYaml(detection: string, logsource = 'product: windows\n    category: process_creation', extra = ''): string {
  return `title: test rule
id: 00000000-0000-4000-8000-000000000001
status: test
logsource:
    ${logsource}
detection:
${detection
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
level: high
${extra}`;
}

/** Two Application rules for SQL Server logins: `failed_login` (18456) and `login_ok` (18453, 18454), for correlations to name. */
export const LOGIN_RULES = `title: failed login
id: 10000000-0000-4000-8000-000000000001
name: failed_login
logsource:
    product: windows
    service: application
detection:
    selection:
        EventID: 18456
    condition: selection
level: low
---
title: login ok
id: 10000000-0000-4000-8000-000000000002
name: login_ok
logsource:
    product: windows
    service: application
detection:
    selection:
        EventID:
            - 18453
            - 18454
    condition: selection
level: low
`;
