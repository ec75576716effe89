import { describe, expect, it } from 'vitest';
import { checkSelect, loadRules } from '../../detection/sigma/index.js';
import { mssqlEvent, ruleYaml, sysmonEvent } from './helpers.js';

const proc = (data: Record<string, string | number | null>): string => JSON.stringify(sysmonEvent(1, data));
const sel = (body: string): string =>
  ruleYaml(
    `selection:\n${body
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\ncondition: selection`,
  );
const hit = (body: string, data: Record<string, string | number | null>): boolean => checkSelect(sel(body), proc(data));
const rejects = (body: string): string => {
  const r = loadRules([{ path: 'r.yml', text: sel(body) }]);
  expect(r.rules.size).toBe(0);
  return `${r.errors[0]?.code}: ${r.errors[0]?.reason}`;
};

describe('plain values and wildcards', () => {
  it('is case-insensitive exact match by default', () => {
    expect(hit("Image: 'C:\\Windows\\System32\\CMD.exe'", { Image: 'c:\\windows\\system32\\cmd.exe' })).toBe(true);
    expect(hit("Image: 'C:\\Windows\\System32\\cmd.exe'", { Image: 'C:\\Windows\\System32\\cmd.exe2' })).toBe(false);
  });
  it('supports * and ? with escapes', () => {
    expect(hit("CommandLine: 'whoami*'", { CommandLine: 'WHOAMI /all' })).toBe(true);
    expect(hit("CommandLine: 'who?mi'", { CommandLine: 'whoami' })).toBe(true);
    expect(hit("CommandLine: 'who?mi'", { CommandLine: 'whoaami' })).toBe(false);
    expect(hit("CommandLine: 'a\\*b'", { CommandLine: 'a*b' })).toBe(true);
    expect(hit("CommandLine: 'a\\*b'", { CommandLine: 'axxb' })).toBe(false);
    expect(hit("CommandLine: 'a\\?b'", { CommandLine: 'axb' })).toBe(false);
    expect(hit("CommandLine: 'x*y*z'", { CommandLine: 'x--y--z' })).toBe(true);
    expect(hit("CommandLine: 'x*y*z'", { CommandLine: 'x--z--y' })).toBe(false);
  });
  it('keeps a backslash before an ordinary character literal, and \\\\ as one backslash', () => {
    expect(hit("Image: 'C:\\Temp\\x.exe'", { Image: 'C:\\Temp\\x.exe' })).toBe(true);
    expect(hit("Image: 'C:\\\\Temp'", { Image: 'C:\\Temp' })).toBe(true);
  });
  it('matches numbers as text', () => {
    expect(hit('ProcessId: 4242', { ProcessId: 4242 })).toBe(true);
    expect(hit('ProcessId: 4242', { ProcessId: 42 })).toBe(false);
  });
  it('treats a list as OR and null as empty or missing', () => {
    expect(hit("Image:\n    - '*\\a.exe'\n    - '*\\b.exe'", { Image: 'C:\\b.exe' })).toBe(true);
    expect(hit('User: null', { Image: 'x' })).toBe(true);
    expect(hit('User: null', { User: '' })).toBe(true);
    expect(hit('User: null', { User: 'bob' })).toBe(false);
    expect(hit("User: ''", { User: '' })).toBe(true);
  });
  it('does not match a missing field', () => {
    expect(hit("User|contains: 'a'", { Image: 'a' })).toBe(false);
  });
});

describe('contains / startswith / endswith / all / cased', () => {
  it('contains', () => {
    expect(hit("CommandLine|contains: 'EnC'", { CommandLine: 'powershell -enc AAA' })).toBe(true);
    expect(hit("CommandLine|contains: 'zzz'", { CommandLine: 'powershell' })).toBe(false);
  });
  it('startswith / endswith', () => {
    expect(hit("Image|startswith: 'C:\\Windows\\'", { Image: 'c:\\windows\\x.exe' })).toBe(true);
    expect(hit("Image|startswith: 'C:\\Windows\\'", { Image: 'd:\\windows\\x.exe' })).toBe(false);
    expect(hit("Image|endswith: '\\cmd.exe'", { Image: 'C:\\x\\CMD.EXE' })).toBe(true);
    expect(hit("Image|endswith: '\\cmd.exe'", { Image: 'C:\\x\\cmd.exe.bak' })).toBe(false);
  });
  it('contains with inner wildcards', () => {
    expect(hit("CommandLine|contains: 'net*user'", { CommandLine: 'c:\\ net.exe  user x' })).toBe(true);
    expect(hit("CommandLine|contains: 'net*user'", { CommandLine: 'user net' })).toBe(false);
  });
  it('all', () => {
    expect(hit("CommandLine|contains|all:\n    - 'a1'\n    - 'b2'", { CommandLine: 'x b2 a1' })).toBe(true);
    expect(hit("CommandLine|contains|all:\n    - 'a1'\n    - 'b2'", { CommandLine: 'x a1' })).toBe(false);
  });
  it('cased', () => {
    expect(hit("CommandLine|contains|cased: 'EnC'", { CommandLine: '-EnC' })).toBe(true);
    expect(hit("CommandLine|contains|cased: 'EnC'", { CommandLine: '-enc' })).toBe(false);
    expect(hit("CommandLine|cased: 'Abc'", { CommandLine: 'abc' })).toBe(false);
  });
  it('rejects two match modes', () => {
    expect(rejects("Image|contains|endswith: 'x'")).toMatch(/unsupported-modifier/);
  });
});

describe('re', () => {
  it('is case-sensitive, with i/m/s flags', () => {
    expect(hit("CommandLine|re: 'a.c'", { CommandLine: 'xabcx' })).toBe(true);
    expect(hit("CommandLine|re: '^ABC$'", { CommandLine: 'abc' })).toBe(false);
    expect(hit("CommandLine|re|i: '^ABC$'", { CommandLine: 'abc' })).toBe(true);
    expect(hit("CommandLine|re: '(?i)^ABC$'", { CommandLine: 'abc' })).toBe(true);
    expect(hit("CommandLine|re: '^b$'", { CommandLine: 'a\nb' })).toBe(false);
    expect(hit("CommandLine|re|m: '^b$'", { CommandLine: 'a\nb' })).toBe(true);
    expect(hit("CommandLine|re: 'a.b'", { CommandLine: 'a\nb' })).toBe(false);
    expect(hit("CommandLine|re|s: 'a.b'", { CommandLine: 'a\nb' })).toBe(true);
  });
  it('rejects a regex JavaScript cannot compile, with the line', () => {
    const r = loadRules([{ path: 'r.yml', text: sel("CommandLine|re: '(?<!a+'") }]);
    expect(r.errors[0]?.code).toBe('regex');
    expect(r.errors[0]?.line).toBe(9);
  });
  it('rejects a flag without re', () => {
    expect(rejects("CommandLine|i: 'x'")).toMatch(/without 're'/);
  });
});

describe('windash', () => {
  it('matches - / and unicode dashes', () => {
    for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) {
      expect(hit("CommandLine|contains|windash: ' -enc '", { CommandLine: `powershell ${d}enc AAA` })).toBe(true);
    }
    expect(hit("CommandLine|contains|windash: ' -enc '", { CommandLine: 'powershell +enc AAA' })).toBe(false);
  });
});

describe('base64 / base64offset / utf16', () => {
  it('base64', () => {
    // btoa('whoami') = d2hvYW1p
    expect(hit("CommandLine|base64|contains: 'whoami'", { CommandLine: 'x d2hvYW1p y' })).toBe(true);
    expect(hit("CommandLine|base64: 'whoami'", { CommandLine: 'd2hvYW1px' })).toBe(false);
  });
  it('base64offset finds the value at any offset of a larger encoded text', () => {
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const enc = Buffer.from(`${prefix}http://evil/x`).toString('base64');
      expect(hit("CommandLine|base64offset|contains: 'http://'", { CommandLine: `-e ${enc}` })).toBe(true);
    }
    expect(hit("CommandLine|base64offset|contains: 'http://'", { CommandLine: Buffer.from('ftp://x').toString('base64') })).toBe(false);
  });
  it('utf16le/wide + base64offset (PowerShell -EncodedCommand)', () => {
    for (const prefix of ['', 'x', 'xy']) {
      const enc = Buffer.from(`${prefix}IEX (New-Object`, 'utf16le').toString('base64');
      expect(hit("CommandLine|wide|base64offset|contains: 'IEX ('", { CommandLine: `powershell -enc ${enc}` })).toBe(true);
      expect(hit("CommandLine|utf16le|base64offset|contains: 'IEX ('", { CommandLine: `powershell -enc ${enc}` })).toBe(true);
    }
    const be = Buffer.from('IEX', 'utf16le').swap16().toString('base64');
    expect(hit("CommandLine|utf16be|base64|contains: 'IEX'", { CommandLine: be })).toBe(true);
    const bom = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('IEX', 'utf16le')]).toString('base64');
    expect(hit("CommandLine|utf16|base64|contains: 'IEX'", { CommandLine: bom })).toBe(true);
  });
  it('rejects base64 on a value with wildcards', () => {
    expect(rejects("CommandLine|base64: 'who*'")).toMatch(/wildcards/);
  });
});

describe('cidr / exists / fieldref / numeric', () => {
  const net = (body: string, data: Record<string, string | number | null>): boolean =>
    checkSelect(ruleYaml(`selection:\n    ${body}\ncondition: selection`, 'product: windows\n    category: network_connection'), JSON.stringify(sysmonEvent(3, data)));
  it('cidr v4 and v6', () => {
    expect(net("DestinationIp|cidr: '10.0.0.0/8'", { DestinationIp: '10.1.2.3' })).toBe(true);
    expect(net("DestinationIp|cidr: '10.0.0.0/8'", { DestinationIp: '11.1.2.3' })).toBe(false);
    expect(net("DestinationIp|cidr: 'fe80::/10'", { DestinationIp: 'fe80::1%12' })).toBe(true);
    expect(net("DestinationIp|cidr: 'fe80::/10'", { DestinationIp: '2001:db8::1' })).toBe(false);
    expect(net("DestinationIp|cidr: '127.0.0.0/8'", { DestinationIp: '::ffff:127.0.0.1' })).toBe(true);
    expect(net("DestinationIp|cidr: '10.0.0.0/8'", { DestinationIp: 'not-an-ip' })).toBe(false);
  });
  it('exists', () => {
    expect(hit('User|exists: true', { User: '' })).toBe(true);
    expect(hit('User|exists: true', { Image: 'x' })).toBe(false);
    expect(hit('User|exists: false', { Image: 'x' })).toBe(true);
    expect(rejects("User|exists: 'yes'")).toMatch(/true or false/);
  });
  it('fieldref', () => {
    expect(hit('Image|fieldref: ParentImage', { Image: 'C:\\A.exe', ParentImage: 'c:\\a.exe' })).toBe(true);
    expect(hit('Image|fieldref: ParentImage', { Image: 'C:\\A.exe', ParentImage: 'c:\\b.exe' })).toBe(false);
    expect(hit('CommandLine|fieldref|contains: Image', { Image: 'x.exe', CommandLine: 'run x.exe now' })).toBe(true);
  });
  it('gt / gte / lt / lte', () => {
    expect(hit('ProcessId|gt: 10', { ProcessId: 11 })).toBe(true);
    expect(hit('ProcessId|gt: 10', { ProcessId: 10 })).toBe(false);
    expect(hit('ProcessId|gte: 10', { ProcessId: 10 })).toBe(true);
    expect(hit('ProcessId|lt: 10', { ProcessId: 9 })).toBe(true);
    expect(hit('ProcessId|lte: 10', { ProcessId: 11 })).toBe(false);
    expect(hit('ProcessId|lt: 10', { ProcessId: 'abc' })).toBe(false);
  });
});

describe('rejected modifiers', () => {
  it('expand (no placeholder configuration) and unknown modifiers reject the rule with its line', () => {
    expect(rejects("Image|expand: '%programfiles%\\x'")).toMatch(/placeholder/);
    const r = loadRules([{ path: 'r.yml', text: sel("Image|bogus: 'x'") }]);
    expect(r.errors).toEqual([expect.objectContaining({ path: 'r.yml', line: 9, column: 9, code: 'unsupported-modifier' })]);
  });
});

describe('keywords', () => {
  it('search every payload value', () => {
    const rule = ruleYaml("keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\ncondition: keywords", 'product: windows\n    service: application');
    expect(checkSelect(rule, JSON.stringify(mssqlEvent(1, ['run SEKURLSA::x'])))).toBe(true);
    expect(checkSelect(rule, JSON.stringify(mssqlEvent(1, ['clean'])))).toBe(false);
  });
});
