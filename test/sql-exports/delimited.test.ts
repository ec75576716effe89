/**
 * The CSV reader slices cells out of the text instead of building them a character at a
 * time; a plain character-at-a-time RFC 4180 reader (the model below) must read every text
 * the same way: random texts over the characters that matter, and the named cases.
 */
import { describe, expect, it } from 'vitest';
import { delimitedRecords, parseDelimited, type DelimitedRecord } from '../../parsers/sql-exports/delimited.js';
import { firstLines, splitLines } from '../../parsers/sql-exports/text.js';

function model(text: string, sep: string): DelimitedRecord[] {
  const out: DelimitedRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const rec: DelimitedRecord = { line, cells: [] };
    let cell = '';
    let quoted = false;
    let atStart = true;
    while (i < text.length) {
      const ch = text[i] as string;
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (ch === '"') {
          quoted = false;
          i++;
        } else {
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
          cell += ch;
          i++;
        }
      } else if (ch === '"' && atStart) {
        quoted = true;
        atStart = false;
        i++;
      } else if (ch === sep) {
        rec.cells.push(cell);
        cell = '';
        atStart = true;
        i++;
      } else if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      } else {
        cell += ch;
        atStart = false;
        i++;
      }
    }
    if (quoted) rec.unterminated = true;
    rec.cells.push(cell);
    if (!(rec.cells.length === 1 && rec.cells[0] === '' && !rec.unterminated)) out.push(rec);
  }
  return out;
}

/** A small deterministic generator (no Math.random: a failure must replay). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

describe('delimitedRecords', () => {
  it('reads 5,000 random texts exactly as the character-at-a-time model does', () => {
    const next = lcg(7);
    const alphabet = ['a', 'bc', ',', ';', '"', '""', '\r', '\n', '\r\n', ' '];
    for (let k = 0; k < 5000; k++) {
      let text = '';
      const len = Math.floor(next() * 30);
      for (let j = 0; j < len; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      for (const sep of [',', ';']) expect(parseDelimited(text, sep), JSON.stringify(text)).toEqual(model(text, sep));
    }
  });

  it('named cases: quotes, escaped quotes, line breaks in quotes, a quote left open, blank lines', () => {
    const text = 'a,b\r\n"x,1","say ""hi"""\r\n\r\n"two\nlines",z\nq"q,"open';
    expect(parseDelimited(text, ',')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x,1', 'say "hi"'] },
      { line: 4, cells: ['two\nlines', 'z'] },
      { line: 6, cells: ['q"q', 'open'], unterminated: true },
    ]);
  });

  it('is lazy: the first record comes without reading the rest', () => {
    const it = delimitedRecords(`h1,h2\n${'x,y\n'.repeat(10)}`, ',');
    expect(it.next().value).toEqual({ line: 1, cells: ['h1', 'h2'] });
  });
});

describe('firstLines', () => {
  it('is the head of splitLines, with an optional filter', () => {
    for (const text of ['', 'a', 'a\r\nb\rc\nd\n', '\n\nx\r\n', 'one\r\n\r\ntwo']) {
      expect(firstLines(text, 1000)).toEqual(splitLines(text));
      expect(firstLines(text, 2)).toEqual(splitLines(text).slice(0, 2));
    }
    expect(firstLines('\n  \nhead\nrow', 1, (l) => l.trim() !== '')).toEqual(['head']);
  });
});
