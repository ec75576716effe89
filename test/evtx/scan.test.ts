import { describe, expect, it } from 'vitest';
import { memorySource } from '../../parsers/common/byte-source.js';
import type { EventJson, JsonObject } from '../../parsers/common/event.js';
import { readEvtxRecords, scanEvtxRecords, type RecordOutcome, type ScanOutcome } from '../../parsers/evtx/index.js';
import { HEAD_FIELDS } from '../../parsers/evtx/binxml/record-head.js';
import { BinXmlEmitter, buildChunk, buildEvtxFile, eventTemplateBody, val, type BuiltRecord, type TemplateValue } from '../builders/evtx.js';

const T0 = 133_000_000_000_000_000n;
const GUID = Array.from({ length: 16 }, (_, i) => i);

function plain(id: bigint): BuiltRecord {
  return {
    id,
    filetime: T0 + id,
    body: (e) => {
      e.fragmentHeader();
      e.template({ body: eventTemplateBody, values: [val.str('Prov'), val.u16(4688), val.filetime(T0 + id), val.u64(id), val.str('x'), val.u32(1), val.guid(GUID), val.u16(0), val.hex64(1n)] });
      e.eof();
    },
  };
}

/**
 * A record whose EventData refers `refs` times to one nested Binary XML value holding 250
 * elements: resolving it makes about refs × 252 nodes (the limit is 200,000).
 */
function fanOut(id: bigint, refs: number): BuiltRecord {
  const outer = (e: BinXmlEmitter): void => {
    e.fragmentHeader();
    e.open('Event', false).closeStart();
    e.open('System', false).closeStart();
    e.open('Provider', true).attr('Name').subst(1, 0x01).closeEmpty();
    e.open('EventID', false).closeStart().subst(2, 0x06).end();
    e.open('Channel', false).closeStart().text('Security').end();
    e.end();
    e.open('EventData', false).closeStart();
    for (let i = 0; i < refs; i++) e.subst(0, 0x21);
    e.end();
    e.end();
    e.eof();
  };
  const nested = (base: number): TemplateValue => {
    const n = new BinXmlEmitter(base);
    n.fragmentHeader();
    n.template({
      body: (x) => {
        x.fragmentHeader();
        x.open('Items', false).closeStart();
        for (let i = 0; i < 249; i++) x.open('D', false).closeEmpty();
        x.end();
        x.eof();
      },
      values: [],
    });
    n.eof();
    return { type: 0x21, bytes: n.bytes };
  };
  return {
    id,
    filetime: T0 + id,
    body: (e) => {
      e.fragmentHeader();
      // The nested value's inline names must sit at their own offsets: measure where the
      // values start, then write them for that position.
      const probe = new BinXmlEmitter(e.pos);
      const sizes = nested(0).bytes.length + val.str('P').bytes.length + val.u16(1).bytes.length;
      probe.template({ body: outer, values: [nested(0), val.str('P'), val.u16(4624)] });
      e.template({ body: outer, values: [nested(probe.pos - sizes), val.str('P'), val.u16(4624)] });
      e.eof();
    },
  };
}

/** A record whose Channel is an array value (one element per item: only the full read knows). */
function arrayChannel(id: bigint): BuiltRecord {
  return {
    id,
    filetime: T0 + id,
    body: (e) => {
      e.fragmentHeader();
      e.template({
        body: (x) => {
          x.fragmentHeader();
          x.open('Event', false).closeStart().open('System', false).closeStart();
          x.open('EventID', false).closeStart().subst(0, 0x06).end();
          x.open('Channel', false).closeStart().subst(1, 0x81).end();
          x.end().end().eof();
        },
        values: [val.u16(7), val.strArray(['A', 'B'])],
      });
      e.eof();
    },
  };
}

function pick(event: EventJson): EventJson {
  const sys = (event.Event as JsonObject)['System'] as JsonObject;
  const out: JsonObject = {};
  for (const k of HEAD_FIELDS) if (k in sys) out[k] = sys[k] as JsonObject[string];
  return { Event: { System: out } } as EventJson;
}

async function both(file: Uint8Array): Promise<{ full: RecordOutcome[]; scan: ScanOutcome[] }> {
  const full: RecordOutcome[] = [];
  for await (const o of readEvtxRecords(memorySource(file), { includeRecovered: true })) full.push(o);
  const scan: ScanOutcome[] = [];
  for await (const o of scanEvtxRecords(memorySource(file), { includeRecovered: true, want: () => false })) scan.push(o);
  return { full, scan };
}

describe('scanEvtxRecords', () => {
  it('gives every record, or its failure, as the full read does; heads hold System exactly', async () => {
    const file = buildEvtxFile([buildChunk([plain(1n), fanOut(2n, 700), fanOut(3n, 800), arrayChannel(4n), plain(5n)])]);
    const { full, scan } = await both(file);
    expect(scan.map((o) => o.ok)).toEqual(full.map((o) => o.ok));
    expect(full.map((o) => o.ok)).toEqual([true, true, false, true, true]);
    for (const [i, f] of full.entries()) {
      const s = scan[i] as ScanOutcome;
      if (!f.ok || !s.ok) {
        expect(!s.ok && !f.ok && s.error.message).toBe(!f.ok && f.error.message);
        continue;
      }
      expect(s.record.recordId).toBe(f.record.recordId);
      expect(s.record.timestamp).toBe(f.record.timestamp);
      if (s.record.event) expect(s.record.event).toEqual(f.record.event);
      else expect(s.record.head).toEqual(pick(f.record.event));
    }
    // The plain and the fan-out records are read head-only; the array Channel whole.
    expect(scan.map((o) => o.ok && o.record.event !== undefined)).toEqual([false, false, false, true, false]);
  });

  it('builds the whole event where want says so, and only there', async () => {
    const file = buildEvtxFile([buildChunk([plain(1n), plain(2n), plain(3n)])]);
    const got: boolean[] = [];
    for await (const o of scanEvtxRecords(memorySource(file), { want: (h) => ((h.Event as JsonObject)['System'] as JsonObject)['EventRecordID'] === 2 })) {
      got.push(o.ok && o.record.event !== undefined);
    }
    expect(got).toEqual([false, true, false]);
  });
});
