// Hostile inputs: the parser never throws, never hangs, and says what it skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseErrorlog, MAX_LINE_CHARS, MAX_DIAGNOSTICS, type ErrorlogParseResult } from '../../parsers/errorlog/index.js';
import { requireCorpus } from '../support/paths.js';
import { banner, line, utf16Errorlog, utf8Errorlog } from './builders.js';

const codes = (r: ErrorlogParseResult): string[] => r.diagnostics.map((d) => d.code);

/** Structural invariants, checked without per-entry `expect` calls (they are slow in loops). */
function checkShape(r: ErrorlogParseResult, bytes: Uint8Array): void {
  const bad: string[] = [];
  if (r.entries.length > r.lineCount) bad.push(`entries ${r.entries.length} > lines ${r.lineCount}`);
  for (const e of r.entries) {
    if (e.offset < 0 || e.offset >= bytes.length) bad.push(`offset ${e.offset} outside 0..${bytes.length}`);
    if (e.line < 1 || e.line > r.lineCount) bad.push(`line ${e.line}`);
    if (Number.isNaN(Date.parse(e.utcTime))) bad.push(`utcTime ${e.utcTime}`);
  }
  for (const d of r.errors) if (!['NOT_AN_ERRORLOG', 'BAD_TIMESTAMP', 'TOO_MANY_ERRORS'].includes(d.code)) bad.push(d.code);
  if (bad.length > 0) expect(bad).toEqual([]);
}

describe('hostile ERRORLOGs', () => {
  const real = readFileSync(join(requireCorpus('errorlog'), 'desarrollo789-dabases/MSSQL/Log/ERRORLOG'));

  it('truncated at every length (real UTF-16LE file): no throw, entries only grow', () => {
    const sample = new Uint8Array(real.subarray(0, 3000));
    let prev = 0;
    for (let n = 0; n <= sample.length; n++) {
      const r = parseErrorlog(sample.subarray(0, n));
      checkShape(r, sample);
      // A cut `Error:` line may not have merged yet, so one entry may come and go.
      if (r.entries.length < prev - 1) expect(r.entries.length).toBeGreaterThanOrEqual(prev - 1);
      prev = r.entries.length;
    }
    expect(prev).toBeGreaterThan(5);
  });

  it('random bytes and mutated real bytes: no throw, finishes quickly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const r = parseErrorlog(bytes);
        checkShape(r, bytes);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 64 }), (flips) => {
        const bytes = new Uint8Array(real);
        for (const [i, v] of flips) bytes[i] = v;
        const t0 = performance.now();
        const r = parseErrorlog(bytes);
        checkShape(r, bytes);
        expect(performance.now() - t0).toBeLessThan(2000);
      }),
      { numRuns: 100 },
    );
  });

  it('a 4 MiB line without a line end is cut at MAX_LINE_CHARS (UTF-8 and UTF-16)', () => {
    const huge = `${line('2024-03-02 10:00:00.00', 'spid51', 'x')}${'A'.repeat(4 * 1024 * 1024)}`;
    for (const bytes of [utf8Errorlog([huge]), utf16Errorlog([huge])]) {
      const r = parseErrorlog(bytes);
      expect(r.entries).toHaveLength(1);
      expect(r.entries[0]?.text.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
      expect(codes(r)).toContain('LINE_TOO_LONG');
    }
  });

  it('an entry with 50 000 continuation lines is cut (ENTRY_TOO_LONG), the next entry still parses', () => {
    const lines = [line('2024-03-02 10:00:00.00', 'spid51', 'start'), ...Array<string>(50_000).fill('\tmore'), line('2024-03-02 10:00:01.00', 'spid51', "Launched startup procedure 'p'.")];
    const r = parseErrorlog(utf8Errorlog(lines));
    expect(r.entries).toHaveLength(2);
    expect(codes(r)).toContain('ENTRY_TOO_LONG');
    expect(r.entries[1]).toMatchObject({ eventId: 17135, line: 50_002 });
  });

  it('mixed encodings: UTF-8 text appended to a UTF-16LE file is reported and re-read as UTF-8', () => {
    const head = utf16Errorlog([...banner(), line('2024-03-02 10:00:00.00', 'spid51', "Launched startup procedure 'p'.")]);
    const tail = utf8Errorlog([line('2024-03-02 11:00:00.00', 'spid52', "Launched startup procedure 'evil'.")]);
    const bytes = new Uint8Array([...head, ...tail]);
    const r = parseErrorlog(bytes);
    expect(r.entries.filter((e) => e.eventId === 17135).map((e) => e.data)).toEqual([['p'], ['evil']]);
    expect(r.entries.at(-1)?.offset).toBe(head.length);
    expect(codes(r)).toContain('ENCODING_MISMATCH');
  });

  it('UTF-16 text inside a UTF-8 file: NULs reported and removed', () => {
    const bytes = new Uint8Array([...utf8Errorlog([line('2024-03-02 10:00:00.00', 'spid51', 'ok')]), ...Buffer.from('abc\n', 'utf16le')]);
    const r = parseErrorlog(bytes);
    expect(codes(r)).toContain('NUL_CHARACTERS');
    expect(r.entries).toHaveLength(1);
  });

  it('UTF-16LE without a BOM, UTF-8 with a BOM, UTF-16BE with a BOM', () => {
    const lines = [...banner(), line('2024-03-02 10:00:00.00', 'spid51', "Launched startup procedure 'p'.")];
    const noBom = utf16Errorlog(lines).subarray(2);
    const rNoBom = parseErrorlog(noBom);
    expect(rNoBom.encoding).toBe('utf-16le');
    expect(codes(rNoBom)).toEqual(['NO_BOM_UTF16']);
    expect(rNoBom.entries.at(-1)?.eventId).toBe(17135);
    const bom8 = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8Errorlog(lines)]);
    expect(parseErrorlog(bom8).entries.at(-1)?.offset).toBe(utf8Errorlog(lines.slice(0, -1)).length + 3);
    const be = Buffer.from(`\uFEFF${lines.join('\r\n')}`, 'utf16le').swap16();
    const rBe = parseErrorlog(new Uint8Array(be));
    expect(rBe.encoding).toBe('utf-16be-bom');
    expect(rBe.entries.at(-1)?.eventId).toBe(17135);
  });

  it('impossible timestamps are errors with their line; the rest parses', () => {
    const r = parseErrorlog(
      utf8Errorlog([...banner(), line('2024-13-45 10:00:00.00', 'spid51', 'bad'), line('2024-02-30 10:00:00.00', 'spid51', 'bad'), line('2024-03-02 10:00:00.00', 'spid51', 'good')]),
    );
    expect(r.errors.map((e) => [e.code, e.line])).toEqual([
      ['BAD_TIMESTAMP', 13],
      ['BAD_TIMESTAMP', 14],
    ]);
    expect(r.entries.at(-1)?.text).toBe('good');
  });

  it('no banner: local time kept, assumption stated; the caller may pass the offset', () => {
    const lines = [line('2024-03-02 10:00:00.00', 'spid51', "Launched startup procedure 'p'.")];
    const r = parseErrorlog(utf8Errorlog(lines));
    expect(codes(r)).toEqual(['PROVIDER_ASSUMED', 'NO_UTC_ADJUSTMENT']);
    expect(r.entries[0]).toMatchObject({ timeBasis: 'assumed-utc', utcTime: '2024-03-02T10:00:00.0000000Z', localTime: '2024-03-02 10:00:00.00' });
    const o = parseErrorlog(utf8Errorlog(lines), { utcOffsetMinutes: -300, provider: 'MSSQL$X', computer: 'H' });
    expect(o.entries[0]).toMatchObject({ timeBasis: 'option', utcTime: '2024-03-02T15:00:00.0000000Z' });
    expect(o.provider).toBe('MSSQL$X');
    expect(codes(o)).toEqual([]);
  });

  it('Error: lines at the end, or followed by another Error: line, stay alone', () => {
    const r = parseErrorlog(
      utf8Errorlog([...banner(), line('2024-03-02 10:00:00.00', 'Logon', 'Error: 18456, Severity: 14, State: 5.'), line('2024-03-02 10:00:00.00', 'Logon', 'Error: 18456, Severity: 14, State: 8.')]),
    );
    const errs = r.entries.filter((e) => e.error);
    expect(errs.map((e) => [e.eventId, e.error?.state, e.data])).toEqual([
      [18456, 5, []],
      [18456, 8, []],
    ]);
  });

  it('lines before the first entry, garbage and a bad UTC adjustment are diagnostics', () => {
    const r = parseErrorlog(utf8Errorlog(['garbage', '\u0007\u0008', line('2024-03-02 10:00:00.00', 'Server', 'UTC adjustment: 99:00'), line('2024-03-02 10:00:00.00', 'spid5', 'x')]));
    expect(codes(r)).toEqual(expect.arrayContaining(['ORPHAN_LINES', 'BAD_UTC_ADJUSTMENT', 'NO_UTC_ADJUSTMENT']));
    expect(r.entries).toHaveLength(2);
  });

  it('a non-ERRORLOG file is one error, not a crash', () => {
    const r = parseErrorlog(new TextEncoder().encode('MZ\u0090\u0000 this is not a log\n'));
    expect(r.errors.map((e) => e.code)).toEqual(['NOT_AN_ERRORLOG']);
    expect(parseErrorlog(new Uint8Array(0)).errors).toEqual([]);
    expect(parseErrorlog(new Uint8Array(100_000)).entries).toEqual([]);
  });

  it('diagnostics are capped with a count of the rest', () => {
    const lines = Array.from({ length: MAX_DIAGNOSTICS + 50 }, () => `${line('2024-03-02 10:00:00.00', 'spid5', 'x')}\u0000`);
    const r = parseErrorlog(utf8Errorlog(lines), { provider: 'MSSQLSERVER', utcOffsetMinutes: 0 });
    expect(r.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(r.diagnostics.at(-1)?.code).toBe('TOO_MANY_DIAGNOSTICS');
  });

  it('CRLF and LF give the same entries', () => {
    const lines = [...banner(), line('2024-03-02 10:00:00.00', 'spid51', "Launched startup procedure 'p'.")];
    const lf = parseErrorlog(utf8Errorlog(lines));
    const crlf = parseErrorlog(new TextEncoder().encode(lines.join('\r\n')));
    expect(crlf.entries.map((e) => e.event)).toEqual(lf.entries.map((e) => e.event));
  });
});
