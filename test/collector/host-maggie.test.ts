import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../collector/manifest.js';
import { openZip } from '../../collector/zip-reader.js';
import { EXIT } from '../../cli/exit-codes.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import { parseErrorlog } from '../../parsers/errorlog/index.js';
import { readEvtxRecords } from '../../parsers/evtx/index.js';
import { memorySource } from '../../parsers/common/byte-source.js';
import { runCli } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';

const HOST = join(SAMPLES, 'host-maggie');
const INSTANCE = join(HOST, 'Program Files', 'Microsoft SQL Server', 'MSSQL14.MSSQLSERVER', 'MSSQL');
const out = mkdtempSync(join(tmpdir(), 'espy-maggie-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** DLLs the evidence names, found independently of the collector: the parsers' events and the SQL export's dll_name column. */
async function namedDlls(): Promise<Set<string>> {
  const names = new Set<string>();
  const add = (d: string | undefined): void => {
    if (d && /\.dll$/i.test(d.trim())) names.add(d.trim().toLowerCase().split('\\').pop() as string);
  };
  for (const f of ['ERRORLOG', 'ERRORLOG.1']) {
    for (const e of parseErrorlog(readFileSync(join(INSTANCE, 'Log', f))).entries) if ([8128, 33090, 8131].includes(e.eventId)) add(e.data[0]);
  }
  for (const f of ['Application.evtx', 'Microsoft-Windows-Sysmon%4Operational.evtx']) {
    for await (const o of readEvtxRecords(memorySource(readFileSync(join(HOST, 'Windows', 'System32', 'winevt', 'Logs', f))))) {
      if (!o.ok) continue;
      const s = summarizeEvent(o.record.event);
      const ed = o.record.event.Event['EventData'] as Record<string, unknown> | undefined;
      if ([8128, 33090, 8131].includes(s.eventId)) {
        const data = (ed?.['Data'] as { '#text'?: unknown } | undefined)?.['#text'];
        add(Array.isArray(data) ? String(data[0]) : typeof data === 'string' ? data : undefined);
      }
      if (s.eventId === 7 && /sqlservr\.exe$/i.test(String(ed?.['Image'] ?? ''))) add(String(ed?.['ImageLoaded'] ?? ''));
    }
  }
  const csv = readFileSync(join(HOST, 'sql', 'extended_procedures.csv'), 'utf8')
    .split(/\r?\n/)
    .slice(1);
  for (const line of csv) add(line.split(',')[1]);
  return names;
}

describe('espy collect on samples/host-maggie', () => {
  it('bundles the backdoor DLL and every DLL the logs name; verify accepts it', async () => {
    const r = await runCli(['--json', 'collect', '--source', HOST, '--sql-export', join(HOST, 'sql'), '--out', out]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(EXIT.OK);
    const o = JSON.parse(r.stdout) as { bundle: string; errors: number; host: string };
    expect(o.errors).toBe(0);
    expect(o.host).toBe('SQL01');
    const zip = await openZip(o.bundle);
    const manifest = parseManifest(
      (
        await zip.readBytes(
          zip.entries.find((e) => e.name === 'manifest.json')!,
          1 << 24,
        )
      ).toString(),
    );
    zip.close();
    const stored = manifest.files.filter((f) => f.storedPath);
    const backdoor = stored.find((f) => f.originalPath === 'C:\\ProgramData\\ExtendedProcedure.dll');
    expect(backdoor?.storedPath).toBe('files/C/ProgramData/ExtendedProcedure.dll');
    expect(backdoor?.classification?.isEsp).toBe(true);
    const named = await namedDlls();
    expect(named.size).toBeGreaterThanOrEqual(4);
    const storedNames = new Set(stored.filter((f) => f.kind === 'dll').map((f) => f.originalPath.toLowerCase().split('\\').pop()));
    for (const n of named) expect(storedNames, n).toContain(n);
    expect(stored.filter((f) => f.kind === 'sql-export').length).toBe(5);

    const v = await runCli(['verify', o.bundle]);
    expect(v.code).toBe(EXIT.OK);
    expect(v.stdout).toContain('OK: every hash matches');

    // The analysis inside the bundle says COMPROMISED, and `espy analyze` on the bundle finds the same.
    const c = o as unknown as { verdict: string; findings: { ruleId: string; title: string; count: number }[]; report: string };
    expect(c.verdict).toBe('COMPROMISED');
    expect(existsSync(c.report)).toBe(true);
    const a = await runCli(['--json', 'analyze', o.bundle, '--out', join(out, 'analyze')]);
    expect(a.stderr).not.toMatch(/internal error/);
    const ao = JSON.parse(a.stdout) as { verdict: string; findings: { ruleId: string; title: string; count: number }[] };
    expect(ao.verdict).toBe('COMPROMISED');
    const key = (f: { ruleId: string; title: string; count: number }): string => `${f.ruleId} | ${f.title} | ${f.count}`;
    expect(ao.findings.map(key).sort()).toEqual(c.findings.map(key).sort());
  });
});
