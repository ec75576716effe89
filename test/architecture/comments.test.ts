import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listSources, SOURCE_LAYERS } from './import-graph.js';

const root = new URL('../..', import.meta.url).pathname;

/** What a comment may not lean on: a style-guide section, an issue number, a folder outside the repository. */
// Built from pieces, so that this file does not itself hold what it looks for.
const STYLE = 'STYLE';
const SHARED = ['..', 'shared', ''].join('/');
const POINTERS = new RegExp(`${STYLE} §|\\b${STYLE} "|\\bissues? #?\\d|${SHARED.replace(/\./g, '\\.')}`);

/** Every comment of a TypeScript or JavaScript source, with its line. */
export function commentsOf(text: string, jsx = false): { line: number; text: string }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, jsx ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard, text);
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest);
  const out: { line: number; text: string }[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      out.push({ line: sf.getLineAndCharacterOfPosition(scanner.getTokenStart()).line + 1, text: scanner.getTokenText() });
    }
  }
  return out;
}

describe('comments stand alone', () => {
  it('no comment in the sources, scripts, tests or lint config points to a style section, an issue or the shared folder', () => {
    const files = [...listSources(root, [...SOURCE_LAYERS, 'scripts', 'test']), 'eslint.config.js'];
    expect(files.length).toBeGreaterThan(200);
    const hits: string[] = [];
    for (const f of files) {
      for (const c of commentsOf(readFileSync(join(root, f), 'utf8')))
        if (POINTERS.test(c.text))
          hits.push(
            `${f}:${c.line}: ${c.text
              .split('\n')
              .find((l) => POINTERS.test(l))
              ?.trim()}`,
          );
    }
    expect(hits, hits.join('\n')).toEqual([]);
  });

  it('finds such a pointer in a line or block comment, not in a string', () => {
    const text = `const a = '${SHARED}corpus'; // see ${STYLE} §3\n/**\n * from ${'iss'}ue 15\n */\nconst b = 1;\n`;
    expect(
      commentsOf(text)
        .filter((c) => POINTERS.test(c.text))
        .map((c) => c.line),
    ).toEqual([1, 2]);
  });
});
