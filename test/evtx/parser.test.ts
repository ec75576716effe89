import { describe, expect, it } from 'vitest';
import { FormatError, memorySource } from '../../parsers/common/index.js';
import {
  CHUNK_HEADER,
  FILE_HEADER,
  ansiDecoder,
  parseEvtxChunk,
  parseEvtxChunkHeader,
  parseEvtxFileHeader,
  readEvtxInfo,
  readEvtxRecords,
  renderRecordJson,
  renderRecordXml,
  type EvtxDiagnostic,
  type RecordOutcome,
} from '../../parsers/evtx/index.js';
import { BinXmlEmitter, buildChunk, buildEvtxFile, eventTemplateBody, val, type BuiltRecord } from '../builders/evtx.js';

const FT = 131_500_000_000_000_000n;
const GUID = [0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d];

function standardRecords(): BuiltRecord[] {
  let def = 0;
  return [
    {
      id: 1n,
      filetime: FT,
      body: (e) => {
        e.fragmentHeader();
        def = e.template({
          body: eventTemplateBody,
          values: [val.str('Prov'), val.u16(4688), val.filetime(FT), val.u64(1n), val.str('C:\\a.exe'), val.u32(7), val.guid(GUID), val.null(), val.hex64(0x8020000000000000n)],
        }).defOffset;
        e.eof();
      },
    },
    {
      id: 2n,
      filetime: FT + 10_000_000n,
      body: (e) => {
        e.fragmentHeader();
        e.template({ defOffset: def, values: [val.str('Prov'), val.u16(6009), val.filetime(FT + 10_000_000n), val.u64(2n), val.str(''), val.u32(0), val.null(), val.u16(32768), val.hex64(0n)] });
        e.eof();
      },
    },
  ];
}

async function collect(bytes: Uint8Array, opts = {}): Promise<{ outcomes: RecordOutcome[]; diags: EvtxDiagnostic[] }> {
  const diags: EvtxDiagnostic[] = [];
  const outcomes: RecordOutcome[] = [];
  for await (const o of readEvtxRecords(memorySource(bytes), { ...opts, onDiagnostic: (d) => diags.push(d) })) outcomes.push(o);
  return { outcomes, diags };
}

describe('evtx records from built chunks', () => {
  it('instantiates an inline template, then a back-referenced one, in evtx_dump JSON shape', async () => {
    const file = buildEvtxFile([buildChunk(standardRecords())]);
    const { outcomes, diags } = await collect(file);
    expect(diags.map((d) => d.code)).toEqual([]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const [a, b] = outcomes.map((o) => (o.ok ? o.record : undefined));
    expect(a?.recordId).toBe(1);
    expect(a?.timestamp).toBe('2017-09-16T01:46:40.0000000Z');
    expect(a?.offset).toBe(0x1000 + 0x200);
    expect(a?.event).toEqual({
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Prov', Guid: '54849625-5478-4994-A5BA-3E3B0328C30D' } },
          EventID: 4688,
          TimeCreated: { '#attributes': { SystemTime: '2017-09-16T01:46:40.000000Z' } },
          EventRecordID: 1,
          Keywords: '0x8020000000000000',
          Correlation: null,
        },
        EventData: { Image: 'C:\\a.exe', Count: 7 },
      },
    });
    expect(b?.event.Event['System']).toMatchObject({ EventID: { '#attributes': { Qualifiers: 32768 }, '#text': 6009 }, Keywords: '0x0' });
    expect(b?.event.Event['EventData']).toEqual({ Image: '', Count: 0 });
    expect(renderRecordJson(b!)).toContain('"EventID":{"#attributes":{"Qualifiers":32768},"#text":6009}');
  });

  it('renders Event Viewer style XML', async () => {
    const { outcomes } = await collect(buildEvtxFile([buildChunk(standardRecords())]));
    const o = outcomes[0];
    expect(o?.ok).toBe(true);
    if (!o?.ok) return;
    expect(renderRecordXml(o.record)).toBe(
      [
        '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
        '  <System>',
        '    <Provider Name="Prov" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/>',
        '    <EventID>4688</EventID>',
        '    <TimeCreated SystemTime="2017-09-16T01:46:40.0000000Z"/>',
        '    <EventRecordID>1</EventRecordID>',
        '    <Keywords>0x8020000000000000</Keywords>',
        '    <Correlation/>',
        '  </System>',
        '  <EventData>',
        '    <Data Name="Image">C:\\a.exe</Data>',
        '    <Data Name="Count">7</Data>',
        '  </EventData>',
        '</Event>',
        '',
      ].join('\n'),
    );
  });

  it('reads records written without templates (inline elements, no dependency id)', async () => {
    const rec: BuiltRecord = {
      id: 9n,
      filetime: FT,
      body: (e) => {
        e.fragmentHeader();
        e.open('Event', false, false).closeStart();
        e.open('EventData', false, false).closeStart();
        e.open('Data', false, false).closeStart().text('a').end();
        e.open('Data', false, false).closeStart().text('b&').charRef(0x41).end();
        e.open('Data', false, false).closeEmpty();
        e.open('Binary', false, false).closeStart().text('0A0B').end();
        e.end().end().eof();
      },
    };
    const { outcomes } = await collect(buildEvtxFile([buildChunk([rec])]));
    expect(outcomes[0]?.ok).toBe(true);
    if (!outcomes[0]?.ok) return;
    expect(outcomes[0].record.event).toEqual({ Event: { EventData: { Data: { '#text': ['a', 'b&&#65;', ''] }, Binary: '0A0B' } } });
    expect(renderRecordXml(outcomes[0].record)).toContain('<Data>b&amp;&#65;</Data>');
  });

  it('decodes value types, arrays, optional nulls and nested BinXML (0x21)', async () => {
    const nested = new BinXmlEmitter(0);
    const rec: BuiltRecord = {
      id: 3n,
      filetime: FT,
      body: (e) => {
        e.fragmentHeader();
        // The nested fragment's names are inline, so it must know its own chunk position:
        // emit the template, compute where value 7 lands, and build the nested bytes there.
        const values = [
          val.strArray(['x', 'y']),
          val.bool(true),
          val.real64(1.5),
          val.sid([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0]),
          val.systemtime(2020, 2, 29, 23, 59, 58, 123),
          val.binary([0xde, 0xad]),
          val.i8(-5),
          { type: 0x21, bytes: [] as number[] },
        ];
        const body = (t: BinXmlEmitter): void => {
          t.fragmentHeader();
          t.open('Event', false).closeStart();
          t.open('EventData', false).closeStart();
          ['Arr', 'Flag', 'Real', 'Sid', 'When', 'Bin', 'Small'].forEach((n, i) => {
            t.open('Data', true).attr('Name').text(n).closeStart().subst(i, values[i]!.type).end();
          });
          t.end();
          t.open('UserData', false).closeStart().subst(7, 0x21).end();
          t.end().eof();
        };
        // Dry run to learn the position of value 7.
        const dry = new BinXmlEmitter(e.pos);
        dry.template({ body, values });
        const valueStart = e.pos + dry.bytes.length; // value 7 is last and empty in the dry run
        nested.bytes.length = 0;
        const n = new BinXmlEmitter(valueStart);
        n.fragmentHeader().open('Inner', true, false).attr('A').text('1').closeStart().text('z').end().eof();
        nested.raw(n.bytes);
        values[7] = { type: 0x21, bytes: n.bytes };
        e.template({ body, values });
        e.eof();
      },
    };
    const { outcomes } = await collect(buildEvtxFile([buildChunk([rec])]));
    const o = outcomes[0];
    if (!o?.ok) throw new Error(o ? o.error.message : 'no outcome');
    expect(o.record.event.Event['EventData']).toEqual({
      // An array substitution repeats its element per item; the repeated Name gets `_1`.
      Arr: 'x',
      Arr_1: 'y',
      Flag: true,
      Real: '1.5',
      Sid: 'S-1-5-32-544',
      When: '2020-02-29T23:59:58.123000Z',
      Bin: 'DEAD',
      Small: -5,
    });
    expect(o.record.event.Event['UserData']).toEqual({ Inner: { '#attributes': { A: '1' }, '#text': 'z' } });
  });

  it('reports a template that instantiates itself as a CYCLE failure, not a hang', async () => {
    const rec: BuiltRecord = {
      id: 4n,
      filetime: FT,
      body: (e) => {
        e.fragmentHeader();
        const defAt = e.pos + 10; // token(1) + unknown(1) + id(4) + offset(4)
        e.template({
          body: (t) => {
            t.fragmentHeader().open('Event', false).closeStart();
            t.template({ defOffset: defAt, values: [] });
            t.end().eof();
          },
          values: [],
        });
        e.eof();
      },
    };
    const { outcomes } = await collect(buildEvtxFile([buildChunk([rec])]));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.ok).toBe(false);
    if (outcomes[0]?.ok === false) expect(outcomes[0].error.code).toBe('CYCLE');
  });
});

describe('hostile input', () => {
  it('truncating the chunk at every length yields only outcomes and diagnostics', () => {
    const chunk = buildChunk(standardRecords());
    const used = new DataView(chunk.buffer).getUint32(0x30, true);
    for (let n = 0; n <= used + 8; n++) {
      const res = parseEvtxChunk(chunk.slice(0, n), { chunkIndex: 0, fileOffset: 0x1000, scanSlack: true, includeRecovered: true, strict: false, ansi: ansiDecoder() });
      expect(res.outcomes.length).toBeLessThanOrEqual(2 + Math.ceil(n / 28));
      for (const o of res.outcomes) if (!o.ok) expect(o.error).toBeInstanceOf(FormatError);
      for (const o of res.outcomes) if (!o.ok) expect(o.error.message).not.toMatch(/internal error/);
    }
  });

  it('truncating the file header at every length throws only FormatError', () => {
    const file = buildEvtxFile([buildChunk(standardRecords())]);
    for (let n = 0; n < FILE_HEADER.size; n++) {
      expect(() => parseEvtxFileHeader(file.slice(0, n))).toThrow(FormatError);
    }
    for (let n = 0; n < CHUNK_HEADER.size; n++) {
      expect(() => parseEvtxChunkHeader(file.slice(0x1000, 0x1000 + n))).toThrow(FormatError);
    }
  });

  it('truncating a whole file at many lengths never throws from the iterator', async () => {
    const file = buildEvtxFile([buildChunk(standardRecords())]);
    for (let n = 0; n < 0x1000 + 0x400; n += 7) {
      const { outcomes } = await collect(file.slice(0, n));
      expect(outcomes.length).toBeLessThanOrEqual(2);
    }
  });

  it('0-byte, text and random files end in a clear diagnostic', async () => {
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'EMPTY_FILE'],
      [new TextEncoder().encode('this is a text file named .evtx\n'.repeat(200)), 'NOT_EVTX'],
      [Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24), 'NOT_EVTX'],
    ];
    for (const [bytes, code] of cases) {
      const { outcomes, diags } = await collect(bytes);
      expect(outcomes).toEqual([]);
      expect(diags.map((d) => d.code)).toContain(code);
    }
  });

  it('flags dirty files, bad checksums, chunks past the header count and zero chunks', async () => {
    const chunk = buildChunk(standardRecords());
    const bad = chunk.slice();
    bad[0x300] = (bad[0x300] as number) ^ 0xff; // inside record 1's data: data CRC mismatch
    const file = buildEvtxFile([chunk, bad, new Uint8Array(0x10000)], { flags: 1 });
    new DataView(file.buffer).setUint16(0x2a, 1, true); // header claims 1 chunk (CRC now stale)
    const info = await readEvtxInfo(memorySource(file));
    const codes = new Set(info.diagnostics.map((d) => d.code));
    for (const c of ['FILE_DIRTY', 'FILE_HEADER_CHECKSUM', 'CHUNK_DATA_CHECKSUM', 'CHUNK_PAST_HEADER_COUNT', 'CHUNK_ZERO_FILLED', 'CHUNK_COUNT_MISMATCH']) {
      expect(codes.has(c as EvtxDiagnostic['code']), c).toBe(true);
    }
    expect(info.chunks.map((c) => c.state)).toEqual(['ok', 'ok', 'zero']);
    const strict = await collect(file, { strict: true });
    expect(strict.outcomes.every((o) => !o.ok)).toBe(true);
  });

  it('recovers a record left in chunk slack and flags it', async () => {
    const chunk = buildChunk(standardRecords());
    const dv = new DataView(chunk.buffer);
    const second = 0x200 + dv.getUint32(0x204, true);
    dv.setUint32(0x30, second, true); // free space now starts at record 2: it is slack
    dv.setUint32(0x34, 0, true);
    const file = buildEvtxFile([chunk]);
    const plain = await collect(file);
    expect(plain.outcomes.filter((o) => o.ok)).toHaveLength(1);
    const rec = await collect(file, { includeRecovered: true });
    const recovered = rec.outcomes.filter((o) => o.ok && o.record.recovered);
    expect(recovered).toHaveLength(1);
    expect(rec.diags.map((d) => d.code)).toContain('SLACK_RECOVERED');
  });
});

// Generated field tests: each header field read back at its documented offset.
describe.each([
  ['file header', FILE_HEADER, (b: Uint8Array) => parseEvtxFileHeader(b), 'ElfFile\0'] as const,
  ['chunk header', CHUNK_HEADER, (b: Uint8Array) => parseEvtxChunkHeader(b), 'ElfChnk\0'] as const,
])('%s fields', (_name, table, parse, sig) => {
  const widths: Record<string, number> = {
    firstChunkNumber: 8,
    lastChunkNumber: 8,
    nextRecordId: 8,
    headerSize: 4,
    minorVersion: 2,
    majorVersion: 2,
    headerBlockSize: 2,
    numberOfChunks: 2,
    fileFlags: 4,
    checksum: 4,
    firstEventRecordNumber: 8,
    lastEventRecordNumber: 8,
    firstEventRecordId: 8,
    lastEventRecordId: 8,
    lastEventRecordOffset: 4,
    freeSpaceOffset: 4,
    eventRecordsChecksum: 4,
    flags: 4,
    headerChecksum: 4,
  };
  for (const [field, width] of Object.entries(widths)) {
    const off = (table as Record<string, number>)[field];
    if (off === undefined) continue;
    it(`${field} @0x${off.toString(16)} (${width} bytes)`, () => {
      const b = new Uint8Array(table.size);
      b.set(
        [...sig].map((c) => c.charCodeAt(0)),
        0,
      );
      for (let i = 0; i < width; i++) b[off + i] = 0x11 * (i + 1);
      let expected = 0n;
      for (let i = width - 1; i >= 0; i--) expected = (expected << 8n) | BigInt(0x11 * (i + 1));
      const got = (parse(b) as unknown as Record<string, number | bigint>)[field];
      expect(BigInt(got as number | bigint)).toBe(expected);
    });
  }
});
