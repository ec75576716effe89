import { describe, expect, it } from 'vitest';
import { csvCell, renderCsv } from '../../report-templates/exports/csv.js';
import { FINDINGS_CSV_HEADER, renderFindingsCsv } from '../../report-templates/exports/findings-csv.js';
import { mdText, renderSummaryMd } from '../../report-templates/exports/summary-md.js';
import { renderTimelineCsv, TIMELINE_CSV_HEADER } from '../../report-templates/exports/timeline-csv.js';
import { renderTimelineJsonl, toTimesketchTime } from '../../report-templates/exports/timeline-jsonl.js';
import { bigResult, cleanResult, MAGGIE_SHA256, maggieResult, xssResult } from './fixtures.js';
import { GENERATED_AT } from './templates.js';

/** A strict RFC 4180 reader (test oracle): CRLF records, quoted fields with "" escapes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
      continue;
    }
    if (i < text.length) throw new Error(`bad character ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

describe('CSV', () => {
  it('quotes per RFC 4180 and neutralises formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    for (const f of ['=1+2', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(f).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(undefined)).toBe('');
    expect(renderCsv(['a', 'b'], [['1', 2]])).toBe('a,b\r\n1,2\r\n');
  });

  it('findings.csv: one row per evidence item, parseable, with the header', () => {
    const r = maggieResult();
    const rows = parseCsv(renderFindingsCsv(r));
    expect(rows[0]).toEqual([...FINDINGS_CSV_HEADER]);
    const evidence = r.findings.reduce((n, f) => n + Math.max(1, f.evidence.length), 0);
    expect(rows).toHaveLength(1 + evidence);
    for (const row of rows) expect(row).toHaveLength(FINDINGS_CSV_HEADER.length);
    expect(rows[1]?.[2]).toBe('F001');
    expect(rows[1]?.[3]).toBe('critical');
    const decisive = FINDINGS_CSV_HEADER.indexOf('decisive');
    const withDecisive = rows.filter((row) => row[decisive]);
    expect(withDecisive.map((row) => row[decisive])).toContain(r.findings.flatMap((f) => f.evidence).find((e) => e.decisive)?.decisive);
  });

  it('timeline.csv: Timeline Explorer time format, time order, every field round-trips', () => {
    const r = bigResult(300);
    const rows = parseCsv(renderTimelineCsv(r));
    expect(rows[0]).toEqual([...TIMELINE_CSV_HEADER]);
    expect(rows).toHaveLength(301);
    expect(rows[1]?.[0]).toBe('2026-03-01 00:00:00.0000000');
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(TIMELINE_CSV_HEADER.length);
      expect(row[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{7}$/);
    }
    expect(rows[1]?.[8]).toBe(r.timeline[0]?.message);
  });

  it('keeps attacker text intact but inert in CSV', () => {
    const r = xssResult();
    r.timeline[0]!.message = '=cmd|"/c calc"!A1';
    const rows = parseCsv(renderTimelineCsv(r));
    const msgs = rows.slice(1).map((x) => x[8] ?? '');
    expect(msgs).toContain(`'=cmd|"/c calc"!A1`);
    for (const row of [...rows, ...parseCsv(renderFindingsCsv(r))]) for (const c of row) expect(c).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('timeline.jsonl (Timesketch)', () => {
  it('converts ISO times to Timesketch datetime and microseconds', () => {
    expect(toTimesketchTime('2026-03-14T10:17:43.1234567Z')).toEqual({ datetime: '2026-03-14T10:17:43.123456+00:00', micros: Date.UTC(2026, 2, 14, 10, 17, 43) * 1000 + 123456 });
    expect(toTimesketchTime('2026-03-14T02:17:43-08:00')?.datetime).toBe('2026-03-14T10:17:43.000000+00:00');
    expect(toTimesketchTime('1601-01-01T00:00:00.0000000Z')?.datetime).toBe('1601-01-01T00:00:00.000000+00:00');
    expect(toTimesketchTime('not a time')).toBeUndefined();
  });

  it('has message, datetime and timestamp_desc in every line, in time order', () => {
    const r = bigResult(500);
    r.timeline.push({ ...r.timeline[0]!, timestamp: 'garbage', message: 'bad time' });
    const text = renderTimelineJsonl(r);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(501);
    let last = -Infinity;
    for (const line of lines) {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(typeof o.message).toBe('string');
      expect(o.datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(typeof o.timestamp_desc).toBe('string');
      expect((o.timestamp_desc as string).length).toBeGreaterThan(0);
      expect(o.hostname).toBe('SQL01');
      if (o.timestamp_invalid === undefined) {
        expect(o.timestamp as number).toBeGreaterThanOrEqual(last);
        last = o.timestamp as number;
      }
    }
    expect(lines.filter((l) => l.includes('"timestamp_invalid":"garbage"'))).toHaveLength(1);
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(first.event_identifier).toBe(18456);
    expect(first.timestamp_desc).toBe('Event Recorded');
  });

  it('writes an empty file for an empty timeline', () => {
    const r = cleanResult();
    r.timeline = [];
    expect(renderTimelineJsonl(r)).toBe('');
  });
});

describe('summary.md', () => {
  it('has the verdict, top findings, ESP hashes and the bundle', () => {
    const r = maggieResult();
    const md = renderSummaryMd(r, { generatedAt: GENERATED_AT });
    expect(md).toMatch(/^# espy triage: SQL01: \*\*COMPROMISED\*\*/);
    expect(md).toContain(`\`${MAGGIE_SHA256}\``);
    expect(md).toContain(`\`${r.source.bundleSha256}\``);
    expect(md).toContain('Bundle: SQL01-20260320T085500Z.zip');
    expect(md).toContain('**CRITICAL** ESP executed from a DLL outside Binn');
    expect(md).toContain('sqlbackup');
    expect(md).toContain('Security event log: not in the evidence');
  });

  it('escapes evidence so no HTML, link or table can form', () => {
    const md = renderSummaryMd(xssResult(), { generatedAt: GENERATED_AT });
    // Every < is backslash-escaped; no raw bidi or line separators.
    expect(md.match(/(?<!\\)</g)).toBeNull();
    expect(md).not.toMatch(/[\u202E\u2028\u2029]/);
    expect(md).toContain('\\\\u202E');
    expect(mdText('[x](javascript:alert(1)) | *b* <i> `c` ~d~ _e_ &amp; \\')).toBe('\\[x\\](javascript:alert(1)) \\| \\*b\\* \\<i\\> \\`c\\` \\~d\\~ \\_e\\_ \\&amp; \\\\');
    expect(mdText('# h')).toBe('\\# h');
    expect(mdText('> q')).toBe('\\> q');
    expect(mdText('- l')).toBe('\\- l');
    expect(mdText('12. n')).toBe('12\\. n');
    expect(mdText('a - b. 1. c # d')).toBe('a - b. 1. c # d');
    expect(mdText('a\nb')).toBe('a b');
  });
});
