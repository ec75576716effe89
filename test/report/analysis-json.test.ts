/**
 * `analysis.json` has one home (`analysisJsonPieces`): its pieces, joined, are byte-identical
 * to `${JSON.stringify(result, null, 2)}\n` for the sample hosts and for awkward values, and
 * the streamed file written by `espy analyze` is that text.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTextPieces } from '../../cli/piece-writer.js';
import { ANALYSIS_JSON_BLOCK_CHARS, analysisJsonPieces } from '../../detection/analysis-json.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'espy-analysis-json-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const reference = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
const joined = (v: unknown, block?: number): string => [...analysisJsonPieces(v as AnalysisResult, block)].join('');

describe('analysisJsonPieces', () => {
  it.each(['host-clean', 'host-maggie', 'host-trojan'])(
    '%s: the streamed analysis.json is JSON.stringify(result, null, 2) to the byte',
    async (host) => {
      const out = join(tmp, host);
      const r = await runCli(['analyze', `samples/${host}`, '--out', out]);
      expect([0, 3], r.stderr).toContain(r.code);
      const text = readFileSync(join(out, 'analysis.json'), 'utf8');
      const result = JSON.parse(text) as AnalysisResult;
      expect(result.logins.length).toBeGreaterThan(0);
      expect(reference(result)).toBe(text);
      for (const block of [1, 7, 4096, undefined]) expect(joined(result, block)).toBe(text);
    },
    120_000,
  );

  it('awkward values: undefined, functions, empty containers, escapes, toJSON, deep nesting, sparse arrays', () => {
    const v = {
      a: undefined,
      f: () => 1,
      empty: { list: [], obj: {}, nested: [[], {}, [[]]] },
      text: 'line\nbreak "quoted" \u2028 \u0000 é 🦀',
      list: [undefined, () => 2, null, 1.5, -0, NaN, Infinity, true, 'x', { only: undefined }],
      date: new Date(Date.UTC(2026, 2, 14, 2, 17, 43)),
      deep: { a: { b: { c: { d: [1, { e: [2, 3] }] } } } },
      '10': 'numeric key',
      b: 'then a word key',
      // eslint-disable-next-line no-sparse-arrays
      sparse: [1, , 3],
      many: Array.from({ length: 1300 }, (_, i) => (i % 3 === 0 ? undefined : i % 3 === 1 ? { i, s: 'a\nb', deep: [{ x: [i] }] } : [i, null])),
    };
    for (const block of [1, 3, 100, undefined]) expect(joined(v, block)).toBe(reference(v));
    expect(joined([], 1)).toBe(reference([]));
    expect(joined(v.many, 10)).toBe(reference(v.many));
    expect(joined({}, 1)).toBe(reference({}));
  });

  it('yields blocks of about the block size, not one string', () => {
    const logins = Array.from({ length: 20_000 }, (_, i) => ({ name: `CORP\\user_${i}`, type: 'WINDOWS_LOGIN', isSysadmin: false, createdDuringIncident: false, source: 'sql/server_principals.csv' }));
    const pieces = [...analysisJsonPieces({ logins } as unknown as AnalysisResult)];
    const text = pieces.join('');
    expect(text).toBe(reference({ logins }));
    expect(pieces.length).toBeGreaterThanOrEqual(Math.floor(text.length / ANALYSIS_JSON_BLOCK_CHARS));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2 * ANALYSIS_JSON_BLOCK_CHARS);
  });
});

describe('writeTextPieces', () => {
  it('writes every piece, then renames the partial file', async () => {
    const path = join(tmp, 'big.txt');
    const piece = 'é'.repeat(100_000);
    await writeTextPieces(
      path,
      Array.from({ length: 50 }, () => piece),
    );
    expect(readFileSync(path, 'utf8')).toBe(piece.repeat(50));
    expect(() => readFileSync(`${path}.partial`)).toThrow();
  });

  it('an aborted signal stops between pieces and leaves no file', async () => {
    const path = join(tmp, 'stopped.txt');
    const ac = new AbortController();
    let given = 0;
    function* pieces(): Generator<string> {
      for (let i = 0; i < 1000; i++) {
        given++;
        if (i === 3) ac.abort(new Error('interrupted (SIGINT)'));
        yield 'x'.repeat(1 << 20);
      }
    }
    await expect(writeTextPieces(path, pieces(), ac.signal)).rejects.toThrow('interrupted (SIGINT)');
    expect(given).toBeLessThan(10);
    expect(() => readFileSync(path)).toThrow();
    expect(() => readFileSync(`${path}.partial`)).toThrow();
  });
});
