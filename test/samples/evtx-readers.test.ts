/**
 * Every sample .evtx is read identically by espy (parsers/evtx), Debian's evtxexport (libevtx)
 * and python-evtx: same record count, ids, EventIDs, providers, times and EventData values.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../parsers/common/byte-source.js';
import { readEvtxRecords } from '../../parsers/evtx/index.js';
import { ORACLES, requireOracle, runOracle, runPython } from '../support/oracles.js';
import { SAMPLES } from '../support/paths.js';
import { normEspy, normPython, parseEvtxexport, PYTHON_EVTX_SCRIPT, usDiff, type NormRecord, type PythonRow } from './normalize.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const EVTX_FILES = walk(SAMPLES).filter((p) => p.endsWith('.evtx')).sort();

async function readWithEspy(path: string): Promise<{ records: NormRecord[]; failed: number }> {
  const records: NormRecord[] = [];
  let failed = 0;
  for await (const o of readEvtxRecords(memorySource(new Uint8Array(readFileSync(path))))) {
    if (o.ok) records.push(normEspy(o.record.recordId, o.record.event as never));
    else failed++;
  }
  return { records, failed };
}

describe('sample EVTX files: espy, evtxexport and python-evtx agree', () => {
  it('finds the sample logs: Application, System, Security in every host, Sysmon where installed', () => {
    const hosts = readdirSync(SAMPLES).filter((n) => n.startsWith('host-'));
    expect(hosts.length).toBeGreaterThanOrEqual(3);
    for (const h of hosts) {
      const logs = EVTX_FILES.filter((p) => relative(SAMPLES, p).startsWith(`${h}/`)).map((p) => p.split('/').at(-1));
      expect(logs.filter((l) => l !== 'Microsoft-Windows-Sysmon%4Operational.evtx').sort(), h).toEqual(['Application.evtx', 'Security.evtx', 'System.evtx']);
    }
    const sysmon = (h: string): boolean => EVTX_FILES.some((p) => relative(SAMPLES, p).startsWith(`${h}/`) && p.includes('Sysmon'));
    expect([sysmon('host-maggie'), sysmon('host-clean'), sysmon('host-renamed')]).toEqual([true, true, false]);
  });

  describe.each(EVTX_FILES.map((p) => [relative(SAMPLES, p), p] as const))('%s', (_name, path) => {
    it('three readers give the same records', async () => {
      const espy = await readWithEspy(path);
      expect(espy.failed).toBe(0);
      expect(espy.records.length).toBeGreaterThan(0);

      if (requireOracle('evtxexport')) {
        const r = runOracle(ORACLES.evtxexport, ['-f', 'xml', path]);
        expect(r.status).toBe(0);
        expect(r.stderr).not.toMatch(/error|unable/i);
        expect(parseEvtxexport(r.stdout)).toEqual(espy.records);
      }
      if (requireOracle('python3')) {
        const py = normPython(JSON.parse(runPython(PYTHON_EVTX_SCRIPT, [path])) as PythonRow[]);
        expect(py.length).toBe(espy.records.length);
        const limited: string[] = [];
        py.forEach((p, i) => {
          const e = espy.records[i]!;
          // python-evtx converts FILETIME through a float: allow 2 µs, compare the rest exactly
          expect(usDiff(p.timeUs, e.timeUs), `record ${e.id} time`).toBeLessThanOrEqual(2);
          // Oracle limit: python-evtx 0.7 mis-splits a classic string array that holds empty
          // strings (EventLog 6013 starts with two, ESENT 326/327 has one). evtxexport and espy agree on those records
          // (checked above); here we compare everything but their EventData.
          if (e.data.includes('')) {
            limited.push(`${e.provider}/${e.eventId}`);
            expect({ ...p, timeUs: '', data: [] }).toEqual({ ...e, timeUs: '', data: [] });
            return;
          }
          expect({ ...p, timeUs: '' }).toEqual({ ...e, timeUs: '' });
        });
        // only the sample events that carry empty insertion strings hit that limit
        expect([...new Set(limited)].filter((k) => !['EventLog/6013', 'ESENT/326', 'ESENT/327'].includes(k))).toEqual([]);
      }
    });
  });

  it('record ids are consecutive and times never go backwards in every file', async () => {
    for (const path of EVTX_FILES) {
      const { records } = await readWithEspy(path);
      records.forEach((r, i) => {
        if (i === 0) return;
        expect(r.id, path).toBe(records[i - 1]!.id + 1);
        expect(r.timeUs >= records[i - 1]!.timeUs, `${path} record ${r.id}`).toBe(true);
      });
    }
  });
});
