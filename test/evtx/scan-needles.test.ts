import { describe, expect, it } from 'vitest';
import { memorySource } from '../../parsers/common/byte-source.js';
import type { JsonValue } from '../../parsers/common/event.js';
import { readEvtxRecords, scanEvtxRecords } from '../../parsers/evtx/index.js';
import { BinXmlEmitter, buildChunk, buildEvtxFile, eventTemplateBody, val, type BuiltRecord, type TemplateValue } from '../builders/evtx.js';

/**
 * The scan's needle probe (binxml/needle-probe.ts): `holds(needles)` is false only when no
 * value of the built event holds a needle in its lower-case form, and unknown (undefined)
 * where the event joins several pieces into one value.
 */
const T0 = 133_000_000_000_000_000n;
const GUID = Array.from({ length: 16 }, (_, i) => i);

/** eventTemplateBody's values: Provider, EventID, time, record id, Image, Count, Guid, Qualifiers, Keywords. */
function event(id: bigint, image: TemplateValue, count = 1): BuiltRecord {
  return {
    id,
    filetime: T0 + id,
    body: (e) => {
      e.fragmentHeader();
      e.template({ body: eventTemplateBody, values: [val.str('Prov'), val.u16(4688), val.filetime(T0 + id), val.u64(id), image, val.u32(count), val.guid(GUID), val.u16(0), val.hex64(0x8020n)] });
      e.eof();
    },
  };
}

/** A template whose Image element is written as two substitutions, joined by the renderer. */
function joined(id: bigint, a: string, b: string): BuiltRecord {
  return {
    id,
    filetime: T0 + id,
    body: (e) => {
      e.fragmentHeader();
      e.template({
        body: (x) => {
          x.fragmentHeader();
          x.open('Event', false).closeStart();
          x.open('System', false).closeStart();
          x.open('Provider', true).attr('Name').text('Joined-Provider').closeEmpty();
          x.open('EventID', false).closeStart().subst(0, 0x06).end();
          x.end();
          x.open('EventData', false).closeStart();
          x.open('Data', true).attr('Name').text('Image').closeStart().subst(1, 0x01).subst(2, 0x01).end();
          x.end();
          x.end();
          x.eof();
        },
        values: [val.u16(4688), val.str(a), val.str(b)],
      });
      e.eof();
    },
  };
}

/** The same event with its EventData as a nested Binary XML value. */
function nested(id: bigint, image: string): BuiltRecord {
  const inner = (base: number): TemplateValue => {
    const n = new BinXmlEmitter(base);
    n.fragmentHeader();
    n.template({
      body: (x) => {
        x.fragmentHeader();
        x.open('Data', true).attr('Name').text('Image').closeStart().subst(0, 0x01).end();
        x.eof();
      },
      values: [val.str(image)],
    });
    n.eof();
    return { type: 0x21, bytes: n.bytes };
  };
  return {
    id,
    filetime: T0 + id,
    body: (e) => {
      e.fragmentHeader();
      const outer = (x: BinXmlEmitter): void => {
        x.fragmentHeader();
        x.open('Event', false).closeStart();
        x.open('System', false).closeStart();
        x.open('EventID', false).closeStart().subst(0, 0x06).end();
        x.end();
        x.open('EventData', false).closeStart().subst(1, 0x21).end();
        x.end();
        x.eof();
      };
      // The nested value's inline names sit at their own offsets: measure where it starts
      // (it is the last value), then write it for that position.
      const measure = new BinXmlEmitter(e.pos);
      measure.template({ body: outer, values: [val.u16(4688), inner(0)] });
      e.template({ body: outer, values: [val.u16(4688), inner(measure.pos - inner(0).bytes.length)] });
      e.eof();
    },
  };
}

/** Every text the full event shows, as a Sigma field would: strings, and numbers as String(). */
function leaves(v: JsonValue | undefined, out: string[]): string[] {
  if (v === null || v === undefined) return out;
  if (typeof v !== 'object') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else for (const x of Object.values(v)) leaves(x, out);
  return out;
}

async function probe(records: BuiltRecord[], needles: string[]): Promise<{ answer: boolean | undefined; truth: boolean }[]> {
  const file = buildEvtxFile([buildChunk(records)]);
  const answers: (boolean | undefined)[] = [];
  for await (const o of scanEvtxRecords(memorySource(file), {
    want: (_head, holds) => {
      answers.push(holds(needles));
      return false;
    },
  })) {
    if (!o.ok) throw o.error;
  }
  const truths: boolean[] = [];
  for await (const o of readEvtxRecords(memorySource(file))) {
    if (!o.ok) throw o.error;
    const texts = leaves(o.record.event.Event, []).map((s) => s.toLowerCase());
    truths.push(needles.some((n) => texts.some((t) => t.includes(n))));
  }
  expect(answers).toHaveLength(truths.length);
  return answers.map((answer, i) => ({ answer, truth: truths[i] as boolean }));
}

describe('scan needle probe', () => {
  it('finds a needle in a string value in any case, and answers no where none holds it', async () => {
    const r = await probe([event(1n, val.str('C:\\Program Files\\SQLSERVR.EXE')), event(2n, val.str('C:\\Windows\\cmd.exe'))], ['sqlservr.exe']);
    expect(r).toEqual([
      { answer: true, truth: true },
      { answer: false, truth: false },
    ]);
  });

  it('matches the two characters outside ASCII whose lower case is ASCII (KELVIN SIGN, I WITH DOT)', async () => {
    const r = await probe([event(1n, val.str('\u212Aerberos')), event(2n, val.str('X\u0130')), event(3n, val.str('kerbero'))], ['kerberos', 'xi']);
    expect(r.map((x) => x.truth)).toEqual([true, true, false]);
    expect(r.map((x) => x.answer)).toEqual([true, true, false]);
  });

  it('finds needles in the fixed text of the template and in values that are not strings', async () => {
    expect((await probe([event(1n, val.str('a'))], ['schemas.microsoft.com']))[0]).toEqual({ answer: true, truth: true }); // xmlns
    expect((await probe([event(1n, val.str('a'), 31337)], ['31337']))[0]).toEqual({ answer: true, truth: true });
    expect((await probe([event(1n, val.str('a'))], ['0x8020']))[0]).toEqual({ answer: true, truth: true });
    expect((await probe([event(1n, val.str('a'))], ['0x8021']))[0]).toEqual({ answer: false, truth: false });
    expect((await probe([event(1n, val.strArray(['one', 'SQLSERVR.EXE']))], ['sqlservr.exe']))[0]).toEqual({ answer: true, truth: true });
  });

  it('looks into nested Binary XML values', async () => {
    const r = await probe([nested(1n, 'D:\\MSSQL\\Binn\\sqlservr.exe'), nested(2n, 'D:\\other.exe')], ['sqlservr.exe']);
    expect(r).toEqual([
      { answer: true, truth: true },
      { answer: false, truth: false },
    ]);
  });

  it('has no answer where the renderer joins two pieces into one value (a needle may span them)', async () => {
    const r = await probe([joined(1n, 'C:\\sqlse', 'rvr.exe')], ['sqlservr.exe']);
    expect(r).toEqual([{ answer: undefined, truth: true }]);
  });
});
