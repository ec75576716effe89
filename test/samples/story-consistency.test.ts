/**
 * Each sample host tells ONE story: the same facts agree across the Application log, the
 * ERRORLOGs (read with espy's ERRORLOG parser), the SQL exports (espy's SQL-export parser),
 * Sysmon, Security and the files on disk.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../parsers/common/byte-source.js';
import { mssqlMessageTemplate, parseErrorlog } from '../../parsers/errorlog/index.js';
import { readEvtxRecords } from '../../parsers/evtx/index.js';
import { parseSqlExport } from '../../parsers/sql-exports/index.js';
import { SAMPLES } from '../support/paths.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
interface Ev { id: number; eventId: number; provider: string; time: string; data: Record<string, Json> }

const LOGS = 'Windows/System32/winevt/Logs';

async function events(host: string, log: string): Promise<Ev[]> {
  const path = join(SAMPLES, host, LOGS, log);
  if (!existsSync(path)) return [];
  const out: Ev[] = [];
  for await (const o of readEvtxRecords(memorySource(new Uint8Array(readFileSync(path))))) {
    if (!o.ok) throw new Error(`${host}/${log}: record failed`);
    const e = (o.record.event as unknown as { Event: { System: Record<string, Json>; EventData?: Record<string, Json> } }).Event;
    const sys = e.System;
    const eid = sys.EventID;
    out.push({
      id: o.record.recordId,
      eventId: Number(typeof eid === 'object' && eid !== null && !Array.isArray(eid) ? eid['#text'] : eid),
      provider: String(((sys.Provider as Record<string, Json>)['#attributes'] as Record<string, Json>).Name),
      time: String(((sys.TimeCreated as Record<string, Json>)['#attributes'] as Record<string, Json>).SystemTime),
      data: e.EventData ?? {},
    });
  }
  return out;
}

/** Classic insertion strings of an event, whatever array/scalar shape the JSON uses. */
function strings(ev: Ev): string[] {
  const d = ev.data.Data;
  const t = d !== null && typeof d === 'object' && !Array.isArray(d) && '#text' in d ? d['#text'] : d;
  return (Array.isArray(t) ? t : t === undefined ? [] : [t]).map((x) => (x === null ? '' : String(x)));
}

function sqlLogDir(host: string): string {
  const base = join(SAMPLES, host, 'Program Files', 'Microsoft SQL Server');
  const inst = readdirSync(base)[0]!;
  return join(base, inst, 'MSSQL', 'Log');
}

function errorlogEntries(host: string) {
  const dir = sqlLogDir(host);
  return readdirSync(dir).filter((f) => f.startsWith('ERRORLOG')).flatMap((f) => {
    const r = parseErrorlog(new Uint8Array(readFileSync(join(dir, f))));
    expect(r.diagnostics, `${host}/${f}`).toEqual([]);
    expect(r.errors, `${host}/${f}`).toEqual([]);
    return r.entries.map((e) => ({ ...e, file: f, banner: r.banner }));
  });
}

function sqlRows(host: string, file: string): Array<Record<string, unknown>> {
  const r = parseSqlExport(file, new Uint8Array(readFileSync(join(SAMPLES, host, 'sql', file))));
  expect(r.sets, `${host}/sql/${file}`).toHaveLength(1);
  return r.sets[0]!.rows as unknown as Array<Record<string, unknown>>;
}

const sha256 = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex').toUpperCase();
const centis = (iso: string): string => iso.slice(0, 22); // 2026-03-11T01:12:03.41

describe.each(['host-maggie', 'host-clean', 'host-renamed'])('%s', (host) => {
  it('every SQL Server event in the Application log is also in the ERRORLOG, same time and strings', async () => {
    const app = (await events(host, 'Application.evtx')).filter((e) => e.provider.startsWith('MSSQL'));
    expect(app.length).toBeGreaterThan(20);
    const entries = errorlogEntries(host);
    let inferred = 0;
    for (const ev of app) {
      const same = entries.filter((en) => centis(en.utcTime) === centis(ev.time));
      expect(same.length, `${host} ${ev.eventId} at ${ev.time} has no ERRORLOG entry`).toBeGreaterThan(0);
      if (mssqlMessageTemplate(ev.eventId)) {
        // espy's ERRORLOG parser knows this message: it must infer the same id and strings
        const match = same.find((en) => en.eventId === ev.eventId);
        expect(match, `${host} ${ev.eventId} at ${ev.time}`).toBeDefined();
        expect(match!.data, `${host} ${ev.eventId} at ${ev.time}`).toEqual(strings(ev));
        inferred++;
      } else {
        // not in espy's catalogue: the text at that time carries every insertion string
        expect(same.some((en) => strings(ev).every((s) => en.text.includes(s.trim()))), `${host} ${ev.eventId} at ${ev.time}`).toBe(true);
      }
    }
    expect(inferred).toBeGreaterThan(10);
  });

  it('the SQL exports agree with the ERRORLOG banner and the files on disk', async () => {
    const info = sqlRows(host, 'server_info.csv')[0]!;
    const current = errorlogEntries(host).filter((e) => e.file === 'ERRORLOG')[0]!.banner;
    expect(info.utcOffsetMinutes).toBe(current.utcAdjustmentMinutes);
    expect(info.serverName).toBe(current.serverName);
    expect(info.errorlogPath).toBe(current.errorlogPath);

    const app = (await events(host, 'Application.evtx')).filter((e) => e.eventId === 8128);
    const sysmon7 = (await events(host, 'Microsoft-Windows-Sysmon%4Operational.evtx')).filter((e) => e.eventId === 7);
    for (const esp of sqlRows(host, 'extended_procedures.csv')) {
      const dll = String(esp.dllName);
      const onDisk = /^[A-Z]:\\/i.test(dll) ? join(SAMPLES, host, ...dll.slice(3).split('\\')) : join(sqlLogDir(host), '..', 'Binn', dll);
      expect(existsSync(onDisk), `${host}: ${dll} is not in the sample tree`).toBe(true);
      if (esp.isMsShipped) continue;
      const used = app.find((e) => strings(e)[2] === esp.name);
      expect(used, `${host}: no 8128 for ${String(esp.name)}`).toBeDefined();
      expect(strings(used!)[0]).toBe(dll);
      if (sysmon7.length) {
        const load = sysmon7.find((e) => e.data.ImageLoaded === dll);
        expect(load, `${host}: no Sysmon 7 for ${dll}`).toBeDefined();
        expect(String(load!.data.Hashes)).toContain(`SHA256=${sha256(onDisk)}`);
        expect(String(load!.data.Signed)).toBe('false');
      }
    }
  });

  it('every Sysmon process creation has its Security 4688', async () => {
    const s1 = (await events(host, 'Microsoft-Windows-Sysmon%4Operational.evtx')).filter((e) => e.eventId === 1);
    const s4688 = (await events(host, 'Security.evtx')).filter((e) => e.eventId === 4688);
    expect(s4688.length).toBeGreaterThan(0);
    for (const p of s1) {
      const m = s4688.find((e) => Number(e.data.NewProcessId) === Number(p.data.ProcessId) && e.data.NewProcessName === p.data.Image);
      expect(m, `${host}: 4688 for ${String(p.data.Image)} pid ${String(p.data.ProcessId)}`).toBeDefined();
      expect(Math.abs(Date.parse(m!.time) - Date.parse(p.time))).toBeLessThan(10);
      expect(m!.data.ParentProcessName).toBe(p.data.ParentImage);
    }
  });
});

describe('what each story must contain', () => {
  it('host-maggie: brute force, sa success, xp_cmdshell on, maggie loaded from ProgramData, commands under sqlservr.exe', async () => {
    const app = (await events('host-maggie', 'Application.evtx')).filter((e) => e.provider === 'MSSQLSERVER');
    const failed = app.filter((e) => e.eventId === 18456 && strings(e)[2] === ' [CLIENT: 203.0.113.45]');
    expect(failed).toHaveLength(58);
    expect(app.some((e) => e.eventId === 18454 && strings(e)[0] === 'sa' && strings(e)[1] === ' [CLIENT: 203.0.113.45]')).toBe(true);
    expect(app.filter((e) => e.eventId === 15457).map((e) => strings(e)[0])).toEqual(['show advanced options', 'xp_cmdshell']);
    expect(app.filter((e) => e.eventId === 8128).map((e) => strings(e)[2])).toContain('maggie');
    expect(app.filter((e) => e.eventId === 33090).map((e) => strings(e)[0])).toContain('C:\\ProgramData\\ExtendedProcedure.dll');
    const s1 = (await events('host-maggie', 'Microsoft-Windows-Sysmon%4Operational.evtx')).filter((e) => e.eventId === 1 && String(e.data.ParentImage).endsWith('\\sqlservr.exe'));
    expect(s1.map((e) => String(e.data.Image).split('\\').at(-1))).toEqual(['cmd.exe', 'whoami.exe', 'cmd.exe', 'ipconfig.exe']);
    const trap = errorlogEntries('host-maggie').filter((e) => e.text.startsWith("Using 'dbghelp.dll'"));
    expect(trap).toHaveLength(1);
    expect(trap[0]!.eventId).not.toBe(8128);
  });

  it('host-clean: no configuration change, no ESP outside Binn, only internal failed logins', async () => {
    const app = (await events('host-clean', 'Application.evtx')).filter((e) => e.provider === 'MSSQLSERVER');
    expect(app.filter((e) => e.eventId === 15457)).toEqual([]);
    expect(app.filter((e) => e.eventId === 8128).map((e) => strings(e)[0]).sort()).toEqual(['xplog70.dll', 'xpsqlbot.dll', 'xpstar.dll']);
    expect(app.filter((e) => e.eventId === 18456).map((e) => strings(e)[2])).toEqual(Array(3).fill(' [CLIENT: 10.10.20.57]'));
    expect(sqlRows('host-clean', 'extended_procedures.csv').every((r) => r.isMsShipped)).toBe(true);
  });

  it('host-renamed: named instance provider, no Sysmon log, renamed ESP under Windows\\Temp', async () => {
    expect(existsSync(join(SAMPLES, 'host-renamed', LOGS, 'Microsoft-Windows-Sysmon%4Operational.evtx'))).toBe(false);
    const app = await events('host-renamed', 'Application.evtx');
    const sqlEvents = app.filter((e) => e.provider.startsWith('MSSQL'));
    expect(new Set(sqlEvents.map((e) => e.provider))).toEqual(new Set(['MSSQL$REPORTING']));
    expect(sqlEvents.filter((e) => e.eventId === 8128).map((e) => strings(e)[2])).toContain('xp_dbmaint');
    const esp = sqlRows('host-renamed', 'extended_procedures.csv').filter((r) => !r.isMsShipped);
    expect(esp.map((r) => [r.name, r.dllName])).toEqual([['xp_dbmaint', 'C:\\Windows\\Temp\\dbmaint64.dll']]);
    const sec = (await events('host-renamed', 'Security.evtx')).filter((e) => e.eventId === 4688 && String(e.data.ParentProcessName).endsWith('\\sqlservr.exe'));
    expect(sec.map((e) => String(e.data.NewProcessName).split('\\').at(-1))).toEqual(['cmd.exe', 'whoami.exe', 'cmd.exe']);
  });
});
