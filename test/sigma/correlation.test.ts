import { describe, expect, it } from 'vitest';
import { CorrelationEngine, createEventView, loadRules, type CorrelationMatch } from '../../detection/sigma/index.js';
import type { EventJson } from '../../parsers/common/event.js';
import { LOGIN_RULES, mssqlEvent } from './helpers.js';

const t = (sec: number): string => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + sec * 1000).toISOString().replace('Z', '000Z');
const fail = (sec: number, ip: string, user = 'sa'): EventJson => mssqlEvent(18456, [user, `Reason: x [CLIENT: ${ip}]`], { time: t(sec) });
const ok = (sec: number, ip: string): EventJson => mssqlEvent(18454, ['sa', `[CLIENT: ${ip}]`], { time: t(sec) });

function run(corr: string, events: EventJson[]): CorrelationMatch[] {
  const { rules, errors } = loadRules([{ path: 'c.yml', text: `${LOGIN_RULES}---\n${corr}` }]);
  expect(errors).toEqual([]);
  const eng = new CorrelationEngine(rules);
  const out: CorrelationMatch[] = [];
  for (const e of events) {
    const v = createEventView(e);
    out.push(...eng.push(e, rules.match(v), v));
  }
  out.push(...eng.flush());
  return out;
}

const COUNT = `title: brute force
id: 10000000-0000-4000-8000-000000000003
name: brute
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - ClientAddress
    timespan: 5m
    condition:
        gte: 5
level: medium
`;

describe('event_count', () => {
  it('fires once per burst per group and not below the threshold or outside the timespan', () => {
    const evs = [
      ...[0, 10, 20, 30, 40].map((s) => fail(s, '203.0.113.45')),
      ...[0, 10, 20, 30].map((s) => fail(s + 1, '198.51.100.7')),
      ...[0, 100, 200, 400, 600].map((s) => fail(s + 1000, '192.0.2.1')),
    ].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    evs.sort((a, b) => Date.parse(createEventView(a).get('TimeCreated') as string) - Date.parse(createEventView(b).get('TimeCreated') as string));
    const m = run(COUNT, evs);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ correlationType: 'event_count', group: { ClientAddress: '203.0.113.45' }, count: 5 });
    expect(m[0]?.events).toHaveLength(5);
  });
  it('lt conditions are decided when the window closes', () => {
    const corr = COUNT.replace('gte: 5', 'lt: 3').replace('000000000003', '000000000004');
    const m = run(corr, [fail(0, '10.0.0.1'), fail(1, '10.0.0.2'), fail(2, '10.0.0.2'), fail(3, '10.0.0.2')]);
    expect(m.map((x) => x.group['ClientAddress'])).toEqual(['10.0.0.1']);
  });
});

describe('value_count', () => {
  it('counts distinct values per group', () => {
    const corr = `title: many users
id: 10000000-0000-4000-8000-000000000005
correlation:
    type: value_count
    rules: failed_login
    group-by: ClientAddress
    timespan: 10m
    condition:
        field: Data
        gte: 3
level: high
`;
    const same = run(corr, [fail(0, '10.0.0.1', 'a'), fail(1, '10.0.0.1', 'a'), fail(2, '10.0.0.1', 'a')]);
    expect(same).toEqual([]);
    const spray = run(corr, [fail(0, '10.0.0.1', 'a'), fail(1, '10.0.0.1', 'b'), fail(2, '10.0.0.1', 'c')]);
    expect(spray).toHaveLength(1);
    expect(spray[0]?.distinct).toBe(3);
  });
});

describe('temporal and chained correlations', () => {
  const TEMPORAL = `title: success after brute force
id: 10000000-0000-4000-8000-000000000006
correlation:
    type: temporal_ordered
    rules:
        - brute
        - login_ok
    group-by:
        - ClientAddress
    timespan: 10m
level: high
`;
  it('fires for a success from the same client after a burst, in order', () => {
    const burst = [0, 1, 2, 3, 4].map((s) => fail(s, '203.0.113.45'));
    const m = run(`${COUNT}---\n${TEMPORAL}`, [...burst, ok(30, '203.0.113.45')]);
    // generate: false (default) on the temporal rule suppresses the brute-force rule's own output.
    expect(m.map((x) => x.rule.title)).toEqual(['success after brute force']);
    expect(m[0]).toMatchObject({ group: { ClientAddress: '203.0.113.45' }, count: 6 });
    const both = run(`${COUNT}---\n${TEMPORAL.replace('    timespan: 10m', '    timespan: 10m\n    generate: true')}`, [...burst, ok(30, '203.0.113.45')]);
    expect(both.map((x) => x.rule.title)).toEqual(['brute force', 'success after brute force']);
  });
  it('does not fire for another client, outside the timespan, or out of order', () => {
    const burst = [0, 1, 2, 3, 4].map((s) => fail(s + 100, '203.0.113.45'));
    expect(run(`${COUNT}---\n${TEMPORAL}`, [...burst, ok(130, '198.51.100.1')]).map((x) => x.rule.title)).toEqual([]);
    expect(run(`${COUNT}---\n${TEMPORAL}`, [...burst, ok(100 + 4 + 601, '203.0.113.45')]).map((x) => x.rule.title)).toEqual([]);
    expect(run(`${COUNT}---\n${TEMPORAL}`, [ok(50, '203.0.113.45'), ...burst]).map((x) => x.rule.title)).toEqual([]);
  });
  it('temporal (unordered) fires in either order', () => {
    const un = TEMPORAL.replace('temporal_ordered', 'temporal');
    const burst = [0, 1, 2, 3, 4].map((s) => fail(s + 100, '203.0.113.45'));
    expect(run(`${COUNT}---\n${un}`, [ok(50, '203.0.113.45'), ...burst]).map((x) => x.rule.title)).toEqual(['success after brute force']);
  });
  it('generate: false suppresses the base rules; references must resolve', () => {
    const { rules } = loadRules([{ path: 'c.yml', text: `${LOGIN_RULES}---\n${COUNT}` }]);
    const fl = rules.rules.find((r) => r.meta.name === 'failed_login');
    expect(fl?.suppressed).toBe(true);
    expect(rules.rules.find((r) => r.meta.name === 'login_ok')?.suppressed).toBe(false);
    const bad = loadRules([{ path: 'c.yml', text: `${LOGIN_RULES}---\n${COUNT.replace('- failed_login', '- missing_rule')}` }]);
    expect(bad.errors).toEqual([expect.objectContaining({ code: 'correlation', reason: "referenced rule 'missing_rule' is not loaded" })]);
    const noCond = loadRules([{ path: 'c.yml', text: `${LOGIN_RULES}---\n${COUNT.replace(/ {4}condition:\n {8}gte: 5\n/, '')}` }]);
    expect(noCond.errors[0]?.code).toBe('correlation');
  });
});

describe('one alert per burst', () => {
  it('a long burst fires once; a new burst after a quiet timespan fires again', () => {
    const long = Array.from({ length: 40 }, (_, i) => fail(i * 20, '203.0.113.45'));
    expect(run(COUNT, long)).toHaveLength(1);
    const again = [...long, ...[0, 1, 2, 3, 4].map((s) => fail(40 * 20 + 301 + s, '203.0.113.45'))];
    expect(run(COUNT, again)).toHaveLength(2);
  });
});
