import { describe, expect, it } from 'vitest';
import { checkSelect, createEventView, loadRules } from '../../detection/sigma/index.js';
import type { EventJson } from '../../parsers/common/event.js';
import { mssqlEvent, ruleYaml, securityEvent, sysmonEvent } from './helpers.js';

describe('EventView field resolution', () => {
  it('reads System fields, attributes and EventData', () => {
    const v = createEventView(mssqlEvent(18456, ["Login failed for user 'sa'.", ' Reason: x [CLIENT: 203.0.113.45]'], { provider: 'MSSQL$RADAR' }));
    expect(v.get('EventID')).toBe(18456);
    expect(v.get('Qualifiers')).toBe(16384);
    expect(v.get('Provider_Name')).toBe('MSSQL$RADAR');
    expect(v.get('Channel')).toBe('Application');
    expect(v.get('Computer')).toBe('SQL01');
    expect(v.get('Data')).toEqual(["Login failed for user 'sa'.", ' Reason: x [CLIENT: 203.0.113.45]']);
    expect(v.get('ClientAddress')).toBe('203.0.113.45');
    expect(v.get('Binary')).toBe('401F0000');
    expect(v.get('System.Provider.Name')).toBe('MSSQL$RADAR');
    expect(v.get('Nope')).toBeUndefined();
  });
  it('derives ClientAddress from localised and local-machine forms', () => {
    expect(createEventView(mssqlEvent(18456, ['x [CLIENTE: 10.0.0.5]'])).get('ClientAddress')).toBe('10.0.0.5');
    expect(createEventView(mssqlEvent(18454, ['sa', '[CLIENT: <local machine>]'])).get('ClientAddress')).toBe('<local machine>');
    expect(createEventView(mssqlEvent(18454, ['sa'])).get('ClientAddress')).toBeUndefined();
  });
  it('Message uses the injected renderer, else any EventData value', () => {
    const ev = mssqlEvent(8128, ['C:\\ProgramData\\maggie.dll', '1.0', 'maggie']);
    expect(createEventView(ev).get('Message')).toEqual(['C:\\ProgramData\\maggie.dll', '1.0', 'maggie']);
    const r = createEventView(ev, { message: () => "Using 'x' version 'y' to execute extended stored procedure 'maggie'." });
    expect(r.get('Message')).toMatch(/execute extended stored procedure 'maggie'/);
  });
  it('searches UserData for a field', () => {
    const ev: EventJson = { Event: { System: { EventID: 1102, Channel: 'Security' }, UserData: { LogFileCleared: { SubjectUserName: 'bob' } } } };
    expect(createEventView(ev).get('SubjectUserName')).toBe('bob');
  });
  it('survives hostile shapes', () => {
    const weird = [{ Event: {} }, { Event: { System: null, EventData: 'x' } }, { Event: { EventData: { Data: 5 } } }, {}] as unknown as EventJson[];
    for (const ev of weird) {
      const v = createEventView(ev);
      expect(() => [v.get('EventID'), v.get('Data'), v.get('Message'), v.get('ClientAddress'), v.values()]).not.toThrow();
    }
  });
});

describe('logsource mapping', () => {
  const rule = ruleYaml("selection:\n    Image|endswith: '\\cmd.exe'\n    ParentImage|endswith: '\\sqlservr.exe'\ncondition: selection");
  it('process_creation matches Sysmon 1 by Image and Security 4688 by NewProcessName', () => {
    expect(checkSelect(rule, JSON.stringify(sysmonEvent(1, { Image: 'C:\\cmd.exe', ParentImage: 'C:\\sqlservr.exe' })))).toBe(true);
    expect(checkSelect(rule, JSON.stringify(securityEvent(4688, { NewProcessName: 'C:\\cmd.exe', ParentProcessName: 'C:\\sqlservr.exe' })))).toBe(true);
  });
  it('does not match the wrong channel or EventID', () => {
    expect(checkSelect(rule, JSON.stringify(sysmonEvent(3, { Image: 'C:\\cmd.exe', ParentImage: 'C:\\sqlservr.exe' })))).toBe(false);
    expect(checkSelect(rule, JSON.stringify(securityEvent(1, { Image: 'C:\\cmd.exe', ParentImage: 'C:\\sqlservr.exe' })))).toBe(false);
  });
  it('service application → Application channel', () => {
    const r = ruleYaml('selection:\n    EventID: 8128\ncondition: selection', 'product: windows\n    service: application');
    expect(checkSelect(r, JSON.stringify(mssqlEvent(8128, ['a'])))).toBe(true);
    expect(checkSelect(r, JSON.stringify(securityEvent(8128, {})))).toBe(false);
  });
  it('rejects unknown logsources and products with the line', () => {
    const r = loadRules([
      { path: 'a.yml', text: ruleYaml('selection:\n    a: b\ncondition: selection', 'product: windows\n    category: no_such_thing') },
      { path: 'b.yml', text: ruleYaml('selection:\n    a: b\ncondition: selection', 'product: linux\n    service: auth').replace('0001\n', '0002\n') },
    ]);
    expect(r.errors.map((e) => [e.code, e.line])).toEqual([
      ['unsupported-logsource', 6],
      ['unsupported-logsource', 5],
    ]);
  });
});
