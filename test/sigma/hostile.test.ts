import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorrelationEngine, createEventView, loadRules } from '../../detection/sigma/index.js';
import type { EventJson } from '../../parsers/common/event.js';
import { REPO_ROOT } from '../support/paths.js';

const PACK = readdirSync(join(REPO_ROOT, 'rules', 'sigma'))
  .filter((n) => n.endsWith('.yml'))
  .map((n) => ({ path: n, text: readFileSync(join(REPO_ROOT, 'rules', 'sigma', n), 'utf8') }));
const pack = loadRules(PACK).rules;

describe('hostile rule files', () => {
  it('loadRules never throws on mutated rule text: every problem is a RuleError with a position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PACK.length - 1 }), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 12 }), (fi, pos, del, ins) => {
        const src = (PACK[fi] as { text: string }).text;
        const at = pos % (src.length + 1);
        const text = src.slice(0, at) + ins + src.slice(at + del);
        const r = loadRules([{ path: 'm.yml', text }]);
        for (const e of r.errors) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('odd documents are rejected, not thrown', () => {
    const odd = [
      '',
      '---\n---\n',
      '- a\n- b\n',
      'title: x',
      '&a [*a]',
      'title: x\ndetection: [1]',
      'a: !!binary AAAA',
      ':\n:',
      '{'.repeat(500),
      'title: x\nlogsource: {product: windows}\ndetection:\n  s: {EventID: 1}\n  condition: "((((((s"',
    ];
    for (const text of odd) expect(() => loadRules([{ path: 'o.yml', text }]), text.slice(0, 30)).not.toThrow();
  });
});

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('hostile events', () => {
  it('views, matching and correlation never throw on arbitrary JSON events', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, fc.constantFrom('Application', 'Security', 'Microsoft-Windows-Sysmon/Operational'), (sys, data, channel) => {
        const system = sys !== null && typeof sys === 'object' && !Array.isArray(sys) ? { ...sys, Channel: channel } : sys;
        const ev = { Event: { System: system, EventData: data } } as unknown as EventJson;
        const v = createEventView(ev);
        const m = pack.match(v);
        new CorrelationEngine(pack).push(ev, m, v);
      }),
      { numRuns: 500 },
    );
  });
});
