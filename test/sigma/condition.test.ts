import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../detection/sigma/condition.js';
import { checkSelect, loadRules } from '../../detection/sigma/index.js';
import { ruleYaml, sysmonEvent } from './helpers.js';

const IDS = ['sel_a', 'sel_b', 'filter_x', 'filter_y', '_helper'];

describe('parseCondition', () => {
  it('gives not > and > or precedence', () => {
    expect(parseCondition('sel_a or sel_b and not filter_x', IDS)).toEqual({
      op: 'or',
      args: [
        { op: 'id', name: 'sel_a' },
        {
          op: 'and',
          args: [
            { op: 'id', name: 'sel_b' },
            { op: 'not', arg: { op: 'id', name: 'filter_x' } },
          ],
        },
      ],
    });
  });
  it('parses parentheses', () => {
    expect(parseCondition('(sel_a or sel_b) and filter_x', IDS)).toEqual({
      op: 'and',
      args: [
        {
          op: 'or',
          args: [
            { op: 'id', name: 'sel_a' },
            { op: 'id', name: 'sel_b' },
          ],
        },
        { op: 'id', name: 'filter_x' },
      ],
    });
  });
  it('expands x of patterns and them (without _ names)', () => {
    expect(parseCondition('1 of sel_*', IDS)).toEqual({ op: 'of', count: 1, names: ['sel_a', 'sel_b'] });
    expect(parseCondition('all of filter_*', IDS)).toEqual({ op: 'of', count: 'all', names: ['filter_x', 'filter_y'] });
    expect(parseCondition('all of them', IDS)).toEqual({ op: 'of', count: 'all', names: ['sel_a', 'sel_b', 'filter_x', 'filter_y'] });
    expect(parseCondition('2 of them', IDS)).toMatchObject({ op: 'of', count: 2 });
    expect(parseCondition('not 1 of filter_*', IDS)).toMatchObject({ op: 'not', arg: { op: 'of' } });
  });
  it('rejects bad conditions', () => {
    for (const bad of ['sel_a and', '(sel_a', 'sel_a)', 'unknown', '1 of nothing*', 'sel_a | count() > 5', 'sel_* ', 'and sel_a', 'sel_a sel_b', '0 of them']) {
      expect(() => parseCondition(bad, IDS), bad).toThrow();
    }
  });
});

describe('conditions end to end', () => {
  const rule = (cond: string): string => ruleYaml(`sel_a:\n    Image|endswith: '\\a.exe'\nsel_b:\n    CommandLine|contains: 'bbb'\nfilter_x:\n    User: 'SYSTEM'\ncondition: ${cond}`);
  const ev = (img: string, cmd: string, user: string): string => JSON.stringify(sysmonEvent(1, { Image: img, CommandLine: cmd, User: user }));
  it('evaluates and / or / not / of', () => {
    expect(checkSelect(rule('sel_a and not filter_x'), ev('C:\\a.exe', '', 'bob'))).toBe(true);
    expect(checkSelect(rule('sel_a and not filter_x'), ev('C:\\a.exe', '', 'system'))).toBe(false);
    expect(checkSelect(rule('1 of sel_*'), ev('C:\\z.exe', 'xbbbx', ''))).toBe(true);
    expect(checkSelect(rule('all of sel_*'), ev('C:\\z.exe', 'xbbbx', ''))).toBe(false);
    expect(checkSelect(rule('all of sel_*'), ev('C:\\a.exe', 'xbbbx', ''))).toBe(true);
    expect(checkSelect(rule('(sel_a or sel_b) and not filter_x'), ev('C:\\q.exe', 'bbb', 'x'))).toBe(true);
    expect(checkSelect(rule('1 of them'), ev('C:\\q.exe', '', 'SYSTEM'))).toBe(true);
  });
  it('a list of maps is OR, a map is AND', () => {
    const r = ruleYaml("selection:\n    - Image|endswith: '\\a.exe'\n      User: 'x'\n    - CommandLine: 'c'\ncondition: selection");
    expect(checkSelect(r, ev('C:\\a.exe', '', 'x'))).toBe(true);
    expect(checkSelect(r, ev('C:\\a.exe', '', 'y'))).toBe(false);
    expect(checkSelect(r, ev('', 'C', ''))).toBe(true);
  });
  it('locates condition errors and collects every error of every file', () => {
    const bad1 = rule('sel_a and nope');
    const bad2 = ruleYaml("selection:\n    Image|foo: 'x'\ncondition: selection").replace('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002');
    const good = ruleYaml("selection:\n    Image: 'x'\ncondition: selection").replace('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003');
    const r = loadRules([
      { path: 'a.yml', text: bad1 },
      { path: 'b.yml', text: bad2 },
      { path: 'c.yml', text: good },
      { path: 'd.yml', text: 'title: x\n  bad: [indent' },
    ]);
    expect(r.rules.size).toBe(1);
    expect(r.errors.map((e) => [e.path, e.code, e.line])).toEqual([
      ['a.yml', 'condition', 14],
      ['b.yml', 'unsupported-modifier', 9],
      ['d.yml', 'yaml', expect.any(Number)],
    ]);
  });
  it('rejects Sigma v1 aggregations and timeframe', () => {
    const r = loadRules([{ path: 'a.yml', text: ruleYaml("selection:\n    Image: 'x'\ntimeframe: 5m\ncondition: selection | count() > 5") }]);
    expect(r.errors[0]?.code).toBe('unsupported-feature');
  });
});
