/**
 * The EVTX writer itself: multi-chunk files with valid CRC32s (python-evtx's verify()),
 * record ids in order, byte-for-byte determinism, and template shapes equal to what Windows
 * wrote in real logs of the corpus (classic MSSQL$RADAR 15457, Sysmon 1 and 7).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySource } from '../../parsers/common/byte-source.js';
import { readEvtxRecords } from '../../parsers/evtx/index.js';
import { nameHash } from '../../scripts/samples/evtx-writer/binxml.js';
import { v, writeEvtx, type EventSpec } from '../../scripts/samples/evtx-writer/index.js';
import { ORACLES, requireOracle, runOracle, runPython } from '../support/oracles.js';
import { requireCorpus, SAMPLES } from '../support/paths.js';

const TMP = mkdtempSync(join(tmpdir(), 'espy-evtx-writer-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function events(n: number): EventSpec[] {
  return Array.from({ length: n }, (_, i): EventSpec => {
    const t = new Date(Date.UTC(2026, 2, 11, 1, 0, 0) + i * 1000).toISOString().replace('Z', '1234Z');
    return i % 2 === 0
      ? { provider: { name: 'MSSQLSERVER' }, eventId: 18456, qualifiers: 49152, level: 0, task: 4, keywords: 0x0090000000000000n, time: t, data: { kind: 'classic', strings: [`user${i}`, ' Reason: x', ' [CLIENT: 203.0.113.45]'], binary: new Uint8Array([0x18, 0x48, 0, 0]) } }
      : { provider: { name: 'Microsoft-Windows-Sysmon', guid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}' }, eventId: 1, version: 5, level: 4, task: 1, keywords: 0x8000000000000000n, time: t, processId: 4, threadId: 8, userSid: 'S-1-5-18', data: { kind: 'named', fields: [['Image', v.str(`C:\\x${i}.exe`)], ['ProcessId', v.u32(i)], ['LogonId', v.hex64(0x3e7)]] } };
  });
}

async function espyIds(bytes: Uint8Array): Promise<{ ids: number[]; failed: number }> {
  const ids: number[] = [];
  let failed = 0;
  for await (const o of readEvtxRecords(memorySource(bytes))) {
    if (o.ok) ids.push(o.record.recordId);
    else failed++;
  }
  return { ids, failed };
}

const VERIFY_SCRIPT = `
import sys, json
from Evtx.Evtx import Evtx
with Evtx(sys.argv[1]) as log:
    fh = log.get_file_header()
    chunks = [[c.calculate_header_checksum() == c.header_checksum(), c.calculate_data_checksum() == c.data_checksum()] for c in fh.chunks()]
    print(json.dumps({'file': fh.verify(), 'dirty': fh.is_dirty(), 'chunks': chunks, 'records': sum(1 for _ in log.records())}))
`;

describe('EVTX writer', () => {
  it('splits into chunks, keeps ids in order, and every checksum verifies', async () => {
    const bytes = writeEvtx({ channel: 'Application', computer: 'T.example', firstRecordId: 500, maxRecordsPerChunk: 100, events: events(250) });
    expect(bytes.length).toBe(4096 + 3 * 65536);
    const { ids, failed } = await espyIds(bytes);
    expect(failed).toBe(0);
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => 500 + i));
    const path = join(TMP, 'multi.evtx');
    writeFileSync(path, bytes);
    if (requireOracle('python3')) {
      const r = JSON.parse(runPython(VERIFY_SCRIPT, [path])) as { file: boolean; dirty: boolean; chunks: boolean[][]; records: number };
      expect(r).toEqual({ file: true, dirty: false, chunks: [[true, true], [true, true], [true, true]], records: 250 });
    }
    if (requireOracle('evtxexport')) {
      const x = runOracle(ORACLES.evtxexport, ['-f', 'xml', path]);
      expect(x.stdout.match(/<Event /g)?.length).toBe(250);
    }
  });

  it('fills a chunk to 64 KiB before starting the next one', async () => {
    const bytes = writeEvtx({ channel: 'Application', computer: 'T.example', events: events(1200) });
    const chunks = (bytes.length - 4096) / 65536;
    expect(chunks).toBeGreaterThan(1);
    const { ids } = await espyIds(bytes);
    expect(ids).toHaveLength(1200);
    // free space offset of the first chunk: near full
    const free = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4096 + 0x30, true);
    expect(free).toBeGreaterThan(65536 - 1200);
  });

  it('links every name into the chunk string table bucket of its hash, and every template into the template table', () => {
    const bytes = writeEvtx({ channel: 'Application', computer: 'T.example', events: events(30) });
    const dv = new DataView(bytes.buffer, bytes.byteOffset + 4096, 65536);
    const chunk = bytes.subarray(4096, 4096 + 65536);
    const names: string[] = [];
    for (let b = 0; b < 64; b++) {
      const seen = new Set<number>();
      for (let o = dv.getUint32(0x80 + 4 * b, true); o !== 0; o = dv.getUint32(o, true)) {
        expect(seen.has(o)).toBe(false);
        seen.add(o);
        const hash = dv.getUint16(o + 4, true);
        const name = Buffer.from(chunk.subarray(o + 8, o + 8 + 2 * dv.getUint16(o + 6, true))).toString('utf16le');
        expect(nameHash(name)).toBe(hash);
        expect(hash % 64).toBe(b);
        names.push(name);
      }
    }
    expect(names).toEqual(expect.arrayContaining(['Event', 'System', 'Provider', 'EventID', 'Qualifiers', 'EventData', 'Data', 'Binary', 'Name', 'Guid']));
    expect(new Set(names).size).toBe(names.length);
    let templates = 0;
    for (let b = 0; b < 32; b++) {
      for (let o = dv.getUint32(0x180 + 4 * b, true); o !== 0; o = dv.getUint32(o, true)) {
        // the definition follows its first template instance: token 0x0C and a pointer to itself
        expect(chunk[o - 10]).toBe(0x0c);
        expect(dv.getUint32(o - 4, true)).toBe(o);
        templates++;
      }
    }
    expect(templates).toBe(4); // classic System, manifest System, classic EventData, one named EventData
  });

  it('is deterministic', () => {
    const a = writeEvtx({ channel: 'Application', computer: 'T.example', events: events(40) });
    const b = writeEvtx({ channel: 'Application', computer: 'T.example', events: events(40) });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

/** Template structure (elements, attributes, substitution index/type, literal text marked) of the first record with an EventID. */
const SHAPE_SCRIPT = `
import sys, json
from Evtx.Evtx import Evtx
from Evtx import Nodes as N
def shape(n, out):
    if isinstance(n, N.OpenStartElementNode): out.append('<' + n.tag_name())
    elif isinstance(n, N.AttributeNode): out.append('@' + n.attribute_name().string())
    elif isinstance(n, (N.NormalSubstitutionNode, N.ConditionalSubstitutionNode)): out.append('%%%s%d:%#x' % ('n' if isinstance(n, N.NormalSubstitutionNode) else 'o', n.index(), n.type()))
    elif isinstance(n, N.ValueNode): out.append('text'); return
    elif isinstance(n, N.CloseElementNode): out.append('>')
    for c in n.children(): shape(c, out)
want = int(sys.argv[2])
with Evtx(sys.argv[1]) as log:
    for rec in log.records():
        root = rec.root()
        subs = root.substitutions()
        if int(subs[3].string()) != want: continue
        outer = []; shape(root.template_instance().template(), outer)
        inner = []
        for s in subs:
            if isinstance(s, N.BXmlTypeNode):
                shape(s._root.template_instance().template(), inner)
        print(json.dumps({'outer': outer, 'inner': inner, 'types': [type(s).__name__ for s in subs]}))
        break
`;

describe('templates have the shape Windows writes (corpus records)', () => {
  const cases: Array<[string, string, string, number]> = [
    ['classic MSSQL 15457', 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0003-Persistence/T1505.001-SQL Stored Procedures/ID15457-SQL Server CMDshell enabled.evtx', 'host-maggie/Windows/System32/winevt/Logs/Application.evtx', 15457],
    ['classic MSSQL 18456', 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0006-Credential Access/T1110.xxx-Brut force/ID18456-SQL Server failed login because only Windows auth.evtx', 'host-maggie/Windows/System32/winevt/Logs/Application.evtx', 18456],
    ['Security 4624 v2', 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0008-Lateral Movement/T1021.002-SMB Windows Admin Shares/ID4688,4697,5140-5145 PSexec remote execution + admin share.evtx', 'host-maggie/Windows/System32/winevt/Logs/Security.evtx', 4624],
    ['Sysmon 1', 'Yamato-Security_hayabusa-sample-evtx/YamatoSecurity/DefenseEvasion/T1027.004_ObfuscatedFilesOrInformationCompileAfterDelivery_Sysmon.evtx', 'host-maggie/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx', 1],
    ['Sysmon 7', 'Yamato-Security_hayabusa-sample-evtx/YamatoSecurity/DefenseEvasion/T1218.004_SignedBinaryProxyExecutionInstallUtil_Sysmon.evtx', 'host-maggie/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx', 7],
    ['Security 4688 v2', 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0008-Lateral Movement/T1021.002-SMB Windows Admin Shares/ID4688,4697,5140-5145 PSexec remote execution + admin share.evtx', 'host-maggie/Windows/System32/winevt/Logs/Security.evtx', 4688],
  ];
  it.each(cases)('%s', (_label, real, ours, eventId) => {
    const corpus = requireCorpus('evtx');
    if (!requireOracle('python3')) return;
    const r = JSON.parse(runPython(SHAPE_SCRIPT, [join(corpus, real), String(eventId)])) as { outer: string[]; inner: string[]; types: string[] };
    const o = JSON.parse(runPython(SHAPE_SCRIPT, [join(SAMPLES, ours), String(eventId)])) as typeof r;
    expect(o.outer).toEqual(r.outer);
    expect(o.inner).toEqual(r.inner);
    expect(o.types.length).toBe(r.types.length);
  });
});


