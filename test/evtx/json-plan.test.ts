import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansiDecoder, parseEvtxChunk, jsonPlanStats, parseEvtxChunkJsonl, type ChunkParseOptions } from '../../parsers/evtx/index.js';
import { buildChunk, eventTemplateBody, val, type BinXmlEmitter, type BuiltRecord, type TemplateValue } from '../builders/evtx.js';
import { SAMPLES, requireCorpus } from '../support/paths.js';

/**
 * The jsonl fast path (raw-instance.ts + json-plan.ts + json-bytes.ts) must write exactly
 * what the normal path gives: `JSON.stringify(record.event)` as UTF-8, byte for byte, for
 * every record, and fail the same records with the same messages.
 */
const DIR = requireCorpus('evtx');
const UTF8 = new TextEncoder();

function* evtxFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* evtxFiles(p);
    else if (name.toLowerCase().endsWith('.evtx')) yield p;
  }
}

function opts(chunkIndex: number, fileOffset: number): ChunkParseOptions {
  return { chunkIndex, fileOffset, scanSlack: true, includeRecovered: true, strict: false, ansi: ansiDecoder() };
}

/** Both paths over one chunk; returns the first difference, or undefined. */
function compareChunk(bytes: Uint8Array, chunkIndex: number, fileOffset: number): { records: number; diff?: string } {
  const normal = parseEvtxChunk(bytes, opts(chunkIndex, fileOffset));
  const planned = parseEvtxChunkJsonl(bytes, opts(chunkIndex, fileOffset));
  if (normal.outcomes.length !== planned.outcomes.length) return { records: 0, diff: `outcome count ${normal.outcomes.length} != ${planned.outcomes.length}` };
  if (normal.recovered !== planned.recovered) return { records: 0, diff: `recovered ${normal.recovered} != ${planned.recovered}` };
  let records = 0;
  for (let i = 0; i < normal.outcomes.length; i++) {
    const a = normal.outcomes[i];
    const b = planned.outcomes[i];
    if (a === undefined || b === undefined) return { records, diff: `outcome ${i} missing` };
    if (a.ok && b.ok) {
      records++;
      const want = JSON.stringify(a.record.event);
      if (Buffer.compare(UTF8.encode(want), b.record) !== 0) {
        return { records, diff: `record ${a.record.recordId} at ${a.record.offset}:\n  normal  ${want.slice(0, 2000)}\n  planned ${new TextDecoder().decode(b.record).slice(0, 2000)}` };
      }
    } else if (!a.ok && !b.ok) {
      if (a.error.message !== b.error.message || a.offset !== b.offset) return { records, diff: `failure at ${a.offset}: ${a.error.message} != ${b.error.message}` };
    } else {
      return { records, diff: `outcome ${i}: ok ${a.ok} != ${b.ok}` };
    }
  }
  return { records };
}

function compareFile(path: string): { records: number; diff?: string } {
  const b = readFileSync(path);
  let records = 0;
  for (let i = 0, off = 0x1000; off < b.length; i++, off += 0x10000) {
    const r = compareChunk(new Uint8Array(b.buffer, b.byteOffset + off, Math.min(0x10000, b.length - off)), i, off);
    records += r.records;
    if (r.diff !== undefined) return { records, diff: `chunk ${i}: ${r.diff}` };
  }
  return { records };
}

describe('compiled JSON plans = the normal JSON path', () => {
  it('on every record of every corpus file and sample log (recovered records included)', { timeout: 300_000 }, () => {
    const files = [...evtxFiles(DIR), ...evtxFiles(SAMPLES)];
    expect(files.length).toBeGreaterThan(480);
    let records = 0;
    const diffs: string[] = [];
    const before = { ...jsonPlanStats };
    for (const f of files) {
      const r = compareFile(f);
      records += r.records;
      if (r.diff !== undefined) diffs.push(`${relative(DIR, f)}: ${r.diff}`);
    }
    expect(diffs).toEqual([]);
    expect(records).toBeGreaterThan(60_000);
    // Plans carry nearly every real record (the rest: inline-element WEC records, nested
    // Binary XML that is not one template instance).
    const planned = jsonPlanStats.planned - before.planned;
    const normal = jsonPlanStats.normal - before.normal;
    console.log(`json plans: ${planned} records planned, ${normal} on the normal path`);
    expect(planned / (planned + normal)).toBeGreaterThan(0.9);
  });

  const FT = 132_000_000_000_000_000n;
  /** Both paths agree (`ok` records read); returns how many records took a plan. */
  const check = (records: BuiltRecord[], ok = records.length): number => {
    const before = jsonPlanStats.planned;
    const r = compareChunk(buildChunk(records), 0, 0x1000);
    expect(r.diff).toBeUndefined();
    expect(r.records).toBe(ok);
    return jsonPlanStats.planned - before;
  };

  /** Records instantiating one template (defined by the first) with the given values. */
  const sameTemplate = (body: (e: BinXmlEmitter) => void, rows: TemplateValue[][]): BuiltRecord[] => {
    let def = 0;
    return rows.map((vals, i) => ({
      id: BigInt(i + 1),
      filetime: FT,
      body: (e: BinXmlEmitter): void => {
        e.fragmentHeader();
        if (i === 0) def = e.template({ body, values: vals }).defOffset;
        else e.template({ defOffset: def, values: vals });
        e.eof();
      },
    }));
  };

  it('values that need JSON escaping, 64-bit integers beyond 2^53, empty and null values in one template', () => {
    let def = 0;
    const values = (image: string, count: number, id: bigint, keywords: bigint): ReturnType<typeof val.str>[] => [
      val.str('Prov'),
      val.u16(4688),
      val.filetime(FT),
      val.u64(id),
      val.str(image),
      val.u32(count),
      val.null(),
      val.null(),
      val.hex64(keywords),
    ];
    const first: BuiltRecord = {
      id: 1n,
      filetime: FT,
      body: (e) => {
        e.fragmentHeader();
        def = e.template({ body: eventTemplateBody, values: values('C:\\a "b"\n\u0001\ud800 \ud83d\ude00 \uE000', 7, 1n, 0x8020000000000000n) }).defOffset;
        e.eof();
      },
    };
    const more = (id: bigint, image: string, count: number, eid: bigint): BuiltRecord => ({
      id,
      filetime: FT,
      body: (e) => {
        e.fragmentHeader();
        e.template({ defOffset: def, values: values(image, count, eid, 0n) });
        e.eof();
      },
    });
    expect(check([first, more(2n, '', 0, 2n), more(3n, 'plain', 4_294_967_295, 9_007_199_254_740_993n), more(4n, '\\\\', 1, 18_446_744_073_709_551_615n)])).toBe(4);
  });

  it('UTF-16 strings as TextDecoder reads them: a leading BOM dropped, cut at NUL, odd last byte, lone surrogates, non-ASCII', () => {
    const body = (e: BinXmlEmitter): void => {
      e.fragmentHeader();
      e.open('Event', false).closeStart();
      e.open('EventData', false).closeStart();
      e.open('Data', true).attr('Name').text('S').closeStart().subst(0, 0x01).end();
      e.open('Data', true).attr('Name').text('N').closeStart().subst(1, 0x09).end();
      e.end();
      e.end();
      e.eof();
    };
    const raw = (bytes: number[]): TemplateValue => ({ type: 0x01, bytes });
    const i64 = (v: bigint): TemplateValue => ({ type: 0x09, bytes: val.u64(BigInt.asUintN(64, v)).bytes });
    const rows: TemplateValue[][] = [
      [val.str('\uFEFFabc'), i64(-1n)],
      [val.str('\uFEFF'), i64(-9_007_199_254_740_991n)],
      [val.str('\uFEFF\uFEFFx'), i64(-9_007_199_254_740_992n)],
      [val.str('a\u0000b'), i64(-(2n ** 63n))],
      [raw([0x41, 0x00, 0x42]), i64(2n ** 53n - 1n)],
      [raw([0x00, 0xd8, 0x41, 0x00, 0x00, 0xdc]), i64(-(2n ** 53n) + 2n ** 32n)],
      [val.str('é ü € 𝄞 \u2028 \u007f \u0000'), i64(0n)],
      [raw([0x3d, 0xd8, 0x1e, 0xdd]), i64(-4_294_967_296n)],
    ];
    expect(check(sameTemplate(body, rows))).toBe(rows.length);
  });

  it('every value type the fast read writes itself, at its edges (times out of range, 64-bit extremes, odd sizes)', () => {
    const types = [0x11, 0x15, 0x14, 0x10, 0x0f, 0x13, 0x0e, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a];
    const body = (e: BinXmlEmitter): void => {
      e.fragmentHeader();
      e.open('Event', false).closeStart();
      e.open('EventData', false).closeStart();
      types.forEach((t, i) => e.open('Data', true).attr('Name').text(`V${i}`).closeStart().subst(i, t).end());
      e.open('Data', true).attr('Name').text('Mixed').closeStart().text('n=').subst(9, 0x09).end();
      e.open('Data', true).attr('Time', true).subst(0, 0x11).attr('Id').subst(14, 0x0a).closeEmpty();
      e.end();
      e.end();
      e.eof();
    };
    const u64 = (v: bigint): number[] => val.u64(BigInt.asUintN(64, v)).bytes;
    const row = (ft: bigint, x: bigint, sizeT: number[], sid: number[], bin: number[]): TemplateValue[] =>
      types.map((t): TemplateValue => {
        if (t === 0x11 || t === 0x15 || t === 0x09 || t === 0x0a) return { type: t, bytes: u64(t === 0x11 ? ft : x) };
        if (t === 0x14 || t === 0x07 || t === 0x08) return { type: t, bytes: u64(x).slice(0, 4) };
        if (t === 0x05 || t === 0x06) return { type: t, bytes: u64(x).slice(0, 2) };
        if (t === 0x03 || t === 0x04) return { type: t, bytes: u64(x).slice(0, 1) };
        if (t === 0x10) return { type: t, bytes: sizeT };
        if (t === 0x0f) return { type: t, bytes: [...u64(x), ...u64(~x)] };
        if (t === 0x13) return { type: t, bytes: sid };
        return { type: t, bytes: bin };
      });
    const sid = [1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
    const rows = [
      row(0n, 0n, [1, 0, 0, 0], sid, [0]),
      row(116_444_735_999_999_999n, -1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], sid.slice(0, 8), [0xde, 0xad, 0xbe, 0xef]),
      row(116_444_736_000_000_001n, 2n ** 63n - 1n, [0, 0, 0, 0, 1, 0, 0, 0], sid, [0x00, 0x01]),
      row(2_650_467_743_999_999_999n, -(2n ** 63n), [2, 0, 0, 0], sid, [0x7f]),
      row(2_650_467_744_000_000_000n, 9_007_199_254_740_993n, [3, 0, 0, 0], sid, [1]),
      row(2n ** 63n - 1n, -9_007_199_254_740_993n, [4, 0, 0, 0], sid, [2]),
      row(2n ** 64n - 1n, 4_294_967_296n, [5, 0, 0, 0], sid, [3]),
      row(8_640_000_000_000_000n * 10_000n + 116_444_736_000_000_000n, -4_294_967_297n, [6, 0, 0, 0], sid, [4]),
    ];
    // Row 2's SID is incomplete: that record fails, the same way on both paths.
    expect(check(sameTemplate(body, rows), rows.length - 1)).toBe(rows.length - 1);
  });

  it('a substituted Data Name (JSON keys from values, colliding) takes the normal path', () => {
    const body = (e: BinXmlEmitter): void => {
      e.fragmentHeader();
      e.open('Event', false).closeStart();
      e.open('EventData', false).closeStart();
      e.open('Data', true).attr('Name').subst(0, 0x01).closeStart().subst(1, 0x01).end();
      e.open('Data', true).attr('Name').subst(2, 0x01).closeStart().subst(3, 0x08).end();
      e.end();
      e.end();
      e.eof();
    };
    const row = (a: string, b: string): ReturnType<typeof val.str>[] => [val.str(a), val.str('x'), val.str(b), val.u32(5)];
    expect(check(sameTemplate(body, [row('A', 'B'), row('A', 'A'), row('Data', 'A'), row('', 'A')]))).toBe(0);
  });

  it('template text holding the marker characters takes the normal path', () => {
    const body = (e: BinXmlEmitter): void => {
      e.fragmentHeader();
      e.open('Event', false).closeStart();
      e.open('EventData', false).closeStart();
      e.open('Data', true).attr('Name').text('\uE0000.-1\uE001').closeStart().subst(0, 0x01).text('"\uE0020.-1\uE001"').end();
      e.end();
      e.end();
      e.eof();
    };
    expect(check(sameTemplate(body, [[val.str('a')], [val.str('b')]]))).toBe(0);
  });

  it('array substitutions (one element per item, empty items) and integers beside text', () => {
    const body = (e: BinXmlEmitter): void => {
      e.fragmentHeader();
      e.open('Event', false).closeStart();
      e.open('System', false).closeStart();
      e.open('EventID', false).closeStart().text('id ').subst(1, 0x08).end();
      e.open('Task', false).closeStart().subst(1, 0x08).subst(2, 0x01).end();
      e.end();
      e.open('EventData', false).closeStart();
      e.open('Data', false).closeStart().subst(0, 0x81).end();
      e.end();
      e.end();
      e.eof();
    };
    const row = (items: string[], n: number, s: string): ReturnType<typeof val.str>[] => [val.strArray(items), val.u32(n), val.str(s)];
    expect(check(sameTemplate(body, [row(['a', 'b'], 1, ''), row(['', 'b', ''], 2, 'x'), row(['only'], 3, ''), row([], 4, '"'), row(['c', 'd'], 5, '')]))).toBe(5);
  });
});
