import { afterAll, describe, expect, it } from 'vitest';
import { createYaraEngine, ruleHeaders } from '../../detection/yara/index.js';
import { fixture } from '../pe/fixtures.js';
import { espyRuleSources, publishedRuleSource } from './support.js';

const engine = createYaraEngine();
afterAll(() => engine.close());
const SCAN = { timeoutMs: 30_000, maxMatches: 100 };

describe('YARA engine (libyara-wasm in a worker)', () => {
  it('compile errors name the file and its own line; the bad file is rejected, the others kept', async () => {
    const c = await engine.compile([
      { name: 'good.yar', text: 'rule good_one { condition: true }\n' },
      { name: 'user/bad.yar', text: '// comment\nrule fine { condition: true }\n\nrule broken {\n  condition: $nope\n}\n' },
      { name: 'dup.yar', text: '\n\nrule good_one { condition: false }\n' },
      { name: 'inc.yar', text: 'include "other.yar"\nrule x { condition: true }\n' },
    ]);
    expect(c.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'user/bad.yar', line: 6 /* libyara and the yara CLI both say (6) */, message: expect.stringContaining('$nope') }),
        expect.objectContaining({ source: 'dup.yar', line: 3, message: expect.stringContaining('duplicated identifier') }),
        expect.objectContaining({ source: 'inc.yar', line: 1, message: expect.stringContaining('include') }),
      ]),
    );
    expect(c.rules.map((r) => `${r.source}:${r.name}`)).toEqual(['good.yar:good_one']);
    const r = await c.scan(new Uint8Array([1, 2, 3]), SCAN);
    expect(r.hits.map((h) => h.rule)).toEqual(['good_one']);
  });

  it("espy's own rules are not checked again at start: no engine until the first scan, which matches", async () => {
    const own = createYaraEngine();
    try {
      const c = await own.compile(espyRuleSources().map((s) => ({ ...s, shipped: true })));
      expect(own.workersStarted).toBe(0);
      expect(c.rules.length).toBeGreaterThan(0);
      expect((await c.scan(fixture('maggie_like.dll'), SCAN)).hits.length).toBeGreaterThan(0);
      expect(own.workersStarted).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('a scanned Buffer is left intact, and so are the views that share its memory', async () => {
    const c = await engine.compile([{ name: 'abc.yar', text: 'rule abc { strings: $a = "abc" condition: $a }\n' }]);
    // Two views of one ArrayBuffer (as a read into a larger buffer gives): scanning one must not take the memory of both.
    const whole = Buffer.alloc(64);
    whole.write('..abc..', 0);
    whole.write('neighbour', 32);
    const scanned = whole.subarray(0, 7);
    const neighbour = whole.subarray(32, 41);
    expect((await c.scan(scanned, SCAN)).hits.map((h) => h.rule)).toEqual(['abc']);
    expect(scanned.toString()).toBe('..abc..');
    expect(neighbour.toString()).toBe('neighbour');
  });

  it('the published DCSO Maggie rule compiles unchanged and matches the Maggie-like fixture only', async () => {
    const c = await engine.compile([publishedRuleSource()]);
    expect(c.errors).toEqual([]);
    const hit = await c.scan(fixture('maggie_like.dll'), SCAN);
    expect(hit.hits.map((h) => h.rule)).toEqual(['maggie_backdoor']);
    expect(hit.hits[0]?.strings.length).toBeGreaterThanOrEqual(8);
    expect(hit.hits[0]?.source).toContain('maggie_dcso.yar');
    for (const f of ['xp_fixture.dll', 'plain.dll'] as const) expect((await c.scan(fixture(f), SCAN)).hits).toEqual([]);
  });

  it("espy's own rules compile, carry meta, and separate Maggie-like from benign ESPs", async () => {
    const sources = espyRuleSources();
    for (const s of sources) {
      for (const key of ['description', 'reference', 'date']) expect(s.text.split('rule ').length - 1, `${s.name} meta ${key}`).toBe(s.text.split(`${key} =`).length - 1);
    }
    const c = await engine.compile(sources);
    expect(c.errors).toEqual([]);
    const maggie = await c.scan(fixture('maggie_like.dll'), SCAN);
    expect(maggie.hits.map((h) => h.rule).sort()).toEqual(['espy_esp_without_getxpversion', 'espy_maggie_esp_backdoor', 'espy_maggie_export']);
    expect(maggie.hits.find((h) => h.rule === 'espy_maggie_export')?.tags).toEqual(['maggie', 'esp']);
    expect((await c.scan(fixture('xp_fixture_signed.dll'), SCAN)).hits).toEqual([]);
    expect((await c.scan(fixture('plain.dll'), SCAN)).hits).toEqual([]);
  });

  it('caps matched strings per rule with a diagnostic', async () => {
    const c = await engine.compile([{ name: 'many.yar', text: 'rule many { strings: $a = "AB" condition: $a }' }]);
    const buf = new TextEncoder().encode('AB'.repeat(50));
    const r = await c.scan(buf, { timeoutMs: 30_000, maxMatches: 5 });
    expect(r.hits[0]?.strings.map((s) => s.offset)).toEqual([0, 2, 4, 6, 8]);
    expect(r.diagnostics.join()).toContain('kept the first 5');
  });

  it('a scan that exceeds its timeout returns a diagnostic and the next scan still works', async () => {
    // This regex over 1 MiB of 'a' keeps libyara busy for seconds (12 s measured): far past the
    // timeout however loaded the machine is (a 1 KiB scan with a 1 ms timeout could finish first).
    const slow = 'rule slow { strings: $a = /a[^b]{0,200}c/ condition: $a }';
    const t = await engine.compile([{ name: 't.yar', text: slow }]);
    const r = await t.scan(new Uint8Array(1 << 20).fill(0x61), { timeoutMs: 200, maxMatches: 10 });
    expect(r.hits).toEqual([]);
    expect(r.diagnostics.join()).toMatch(/timed out/);
    const c = await engine.compile([{ name: 't.yar', text: 'rule t { strings: $a = "needle" condition: $a }' }]);
    const ok = await c.scan(new TextEncoder().encode('..needle'), SCAN);
    expect(ok.hits[0]?.strings).toEqual([{ id: '$a', offset: 2 }]);
  });

  it('rule headers: names and tags, ignoring rule-like text in comments and strings', () => {
    const h = ruleHeaders('/* rule fake { */\nprivate rule a : t1 t2 {\n condition: true }\nrule b{ strings: $ = "rule c {" condition: $ }\n// rule d {\nglobal private rule e:x{condition:true}');
    expect(h).toEqual([
      { name: 'a', tags: ['t1', 't2'] },
      { name: 'b', tags: [] },
      { name: 'e', tags: ['x'] },
    ]);
  });
});
