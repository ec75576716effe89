import { describe, expect, it } from 'vitest';
import { loadRules } from '../../detection/sigma/index.js';
import { ruleYaml } from './helpers.js';

/**
 * A detection's needles (detection/sigma/needles.ts): texts one of which every matching
 * event holds, per logsource alternative (process_creation gives Sysmon 1 and Security 4688,
 * whose field names differ but whose values are the same).
 */
function needles(detection: string, logsource?: string): (readonly string[] | undefined)[] {
  const loaded = loadRules([{ path: 'r.yml', text: ruleYaml(detection, logsource) }]);
  expect(loaded.errors).toEqual([]);
  const rule = loaded.rules.rules[0];
  if (!rule) throw new Error('no rule');
  return rule.alternatives.map((a) => a.needles);
}

describe('detection needles', () => {
  it('takes the longest literal run of each value, lower-cased', () => {
    expect(needles("selection:\n    ParentImage|endswith: '\\sqlservr.exe'\ncondition: selection")).toEqual([['\\sqlservr.exe'], ['\\sqlservr.exe']]);
    expect(needles("selection:\n    CommandLine: '*xp_*CmdShell*'\ncondition: selection")[0]).toEqual(['cmdshell']);
    expect(needles("selection:\n    Image|endswith:\n        - '\\A.exe'\n        - '\\Bb.exe'\ncondition: selection")[0]).toEqual(['\\a.exe', '\\bb.exe']);
  });

  it('keeps the ASCII runs of a value with other characters', () => {
    expect(needles("selection:\n    Image|contains: 'x\u00e9cmdshell.exe'\ncondition: selection")[0]).toEqual(['cmdshell.exe']);
  });

  it('needs one item of a selection, and every branch of an OR', () => {
    expect(needles("selection:\n    Image|endswith: '\\cmd.exe'\n    ParentImage|endswith: '\\sqlservr.exe'\ncondition: selection")[0]).toEqual(['\\sqlservr.exe']);
    expect(needles("a:\n    Image|endswith: '\\cmd.exe'\nb:\n    Image|endswith: '\\powershell.exe'\ncondition: a or b")[0]).toEqual(['\\cmd.exe', '\\powershell.exe']);
    expect(needles("a:\n    Image|endswith: '\\cmd.exe'\nb:\n    Image|endswith: '\\powershell.exe'\ncondition: 1 of a or b")[0]).toBeDefined();
    expect(needles("sel_a:\n    Image|endswith: '\\cmd.exe'\nsel_b:\n    Image|endswith: '\\pwsh.exe'\ncondition: 1 of sel_*")[0]).toEqual(['\\cmd.exe', '\\pwsh.exe']);
    expect(needles("sel:\n    - Image|endswith: '\\cmd.exe'\n    - CommandLine|contains: 'whoami'\ncondition: sel")[0]).toEqual(['\\cmd.exe', 'whoami']);
  });

  it('has none where a matching event need not hold a given text', () => {
    const none = [
      "selection:\n    Image|re: 'cmd\\.exe$'\ncondition: selection", // a regex
      "selection:\n    - 'cmdshell'\ncondition: selection", // keywords, which read the rendered message
      "selection:\n    Message|contains: 'cmdshell'\ncondition: selection", // Message can be a rendered text
      "selection:\n    Image|endswith: '\\cmd.exe'\ncondition: not selection",
      "a:\n    Image|endswith: '\\cmd.exe'\nb:\n    Image|re: 'x'\ncondition: a or b",
      'selection:\n    Image: null\ncondition: selection',
      "selection:\n    Image: ''\ncondition: selection",
      "selection:\n    Image: '*'\ncondition: selection",
      'selection:\n    Image|exists: true\ncondition: selection',
      "selection:\n    DestinationIp|cidr: '10.0.0.0/8'\ncondition: selection",
    ];
    for (const d of none) expect(needles(d)[0], d).toBeUndefined();
  });

  it('takes the needles of the encoded forms after a transform', () => {
    const [n] = needles("selection:\n    CommandLine|base64offset|contains: 'xp_cmdshell'\ncondition: selection");
    expect(n?.length).toBe(3);
    for (const x of n ?? []) expect(x).toMatch(/^[a-z0-9+/]+$/);
    expect(needles("selection:\n    CommandLine|windash|contains: '-enc'\ncondition: selection")[0]).toEqual(expect.arrayContaining(['-enc', '/enc']));
  });

  it('with `all`, needs any one value', () => {
    expect(needles("selection:\n    CommandLine|contains|all:\n        - 'a'\n        - 'cmdshell'\ncondition: selection")[0]).toEqual(['cmdshell']);
  });
});
