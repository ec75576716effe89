import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

/** The modules a reader follows from `espy collect --source` to the report. */
function collectPath(): string[] {
  const dir = (d: string): string[] =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${d}/${f}`);
  return [
    'cli/commands/collect.ts',
    ...dir('cli').filter((f) => /^cli\/collect-/.test(f)),
    ...dir('collector/collect'),
    ...dir('collector/plan'),
    'collector/bundle-writer.ts',
    'collector/zip-writer.ts',
    'collector/hash-worker.ts',
  ];
}

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

/** Functions (declarations, methods, arrows with a body) longer than `max` lines, as `name:lines`. */
function longFunctions(file: string, text: string, max: number): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const lines = sf.getLineAndCharacterOfPosition(n.end).line - sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
      if (lines > max) out.push(`${file}:${n.name?.getText(sf) ?? '(anonymous)'}:${lines}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('the collect path reads as a straight line', () => {
  it(`files of at most ${MAX_FILE_LINES} lines, functions of at most ${MAX_FUNCTION_LINES}`, () => {
    const files = collectPath();
    expect(files.length).toBeGreaterThan(15);
    const long: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      const lines = text.split('\n').length;
      if (lines > MAX_FILE_LINES) long.push(`${f}: ${lines} lines`);
      long.push(...longFunctions(f, text, MAX_FUNCTION_LINES));
    }
    expect(long).toEqual([]);
  });

  it('finds a long function', () => {
    const body = Array.from({ length: 90 }, (_, i) => `  const x${i} = ${i};`).join('\n');
    expect(longFunctions('x.ts', `function big(): void {\n${body}\n}\n`, MAX_FUNCTION_LINES)).toEqual(['x.ts:big:92']);
  });
});
