import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createYaraEngine } from '../../detection/yara/index.js';
import { ORACLES, requireOracle, runOracle } from '../support/oracles.js';
import { REPO_ROOT, SAMPLES } from '../support/paths.js';
import { ESPY_RULES_DIR, PUBLISHED_MAGGIE_RULE, espyRuleSources, publishedRuleSource } from '../yara/support.js';

/**
 * Differential test against Debian's `yara` 4.2.3 CLI: the same rule verdicts and the same
 * matched string ids and offsets, for espy's rules and the published Maggie rule, on the
 * sample hosts' files (DLLs and non-PE logs), espy's PE fixtures and two real mingw-w64 DLLs.
 */

function files(dir: string, out: string[] = [], depth = 0): string[] {
  if (depth > 10) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) files(p, out, depth + 1);
    else if (st.size > 0 && st.size < 8 * 1024 * 1024 && /\.(dll|evtx)$|ERRORLOG/i.test(name)) out.push(p);
  }
  return out;
}

type Matches = Map<string, Set<string>>; // file → set of `rule` and `rule|$id|offset`

/** Parses `yara -s` output: `rule path` lines followed by `0xOFF:$id: data` lines. */
function parseYaraCli(stdout: string, into: Matches, targets: readonly string[]): void {
  let current: { rule: string; file: string } | undefined;
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const m = /^0x([0-9a-f]+):(\$[A-Za-z0-9_]*):/.exec(line);
    if (m && current) {
      into.get(current.file)?.add(`${current.rule}|${m[2]}|${parseInt(m[1] ?? '0', 16)}`);
      continue;
    }
    const sp = line.indexOf(' ');
    const rule = line.slice(0, sp);
    const file = line.slice(sp + 1);
    if (!targets.includes(file)) throw new Error(`unexpected yara output line: ${line}`);
    current = { rule, file };
    into.get(file)?.add(rule);
  }
}

describe.runIf(requireOracle('yara'))('YARA engine agrees with the yara CLI', () => {
  const engine = createYaraEngine();
  afterAll(() => engine.close());
  const targets = [
    ...files(SAMPLES),
    ...files(join(REPO_ROOT, 'test', 'fixtures', 'pe')),
    '/usr/lib/gcc/x86_64-w64-mingw32/12-win32/libssp-0.dll',
    '/usr/x86_64-w64-mingw32/lib/libwinpthread-1.dll',
  ].filter((f) => statSync(f, { throwIfNoEntry: false }));

  it('same rules hit, same string ids at the same offsets, file by file', async () => {
    expect(targets.length).toBeGreaterThan(10);
    const ruleFiles = [
      ...readdirSync(ESPY_RULES_DIR)
        .filter((f) => f.endsWith('.yar'))
        .map((f) => join(ESPY_RULES_DIR, f)),
      PUBLISHED_MAGGIE_RULE,
    ];
    const want: Matches = new Map(targets.map((t) => [t, new Set<string>()]));
    for (const rf of ruleFiles) {
      for (const t of targets) {
        const r = runOracle(ORACLES.yara, ['-s', rf, t]);
        expect(r.status, r.stderr).toBe(0);
        parseYaraCli(r.stdout, want, targets);
      }
    }
    const compiled = await engine.compile([...espyRuleSources(), publishedRuleSource()]);
    expect(compiled.errors).toEqual([]);
    let hits = 0;
    for (const t of targets) {
      const got = new Set<string>();
      const res = await compiled.scan(new Uint8Array(readFileSync(t)), { timeoutMs: 60_000, maxMatches: 100_000 });
      expect(res.diagnostics).toEqual([]);
      for (const h of res.hits) {
        got.add(h.rule);
        hits++;
        for (const s of h.strings) got.add(`${h.rule}|${s.id}|${s.offset}`);
      }
      expect([...got].sort(), t).toEqual([...(want.get(t) ?? [])].sort());
    }
    // The Maggie-like sample and fixture must actually be hit (a vacuous agreement proves nothing).
    expect(hits).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
