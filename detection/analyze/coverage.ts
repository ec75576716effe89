import type { CoverageEntry } from '../analysis-result.js';
import type { CollectionGap } from '../evidence.js';
import type { ArtefactStats, DllFacts, SqlFacts } from './inputs.js';
import { locationOf } from './windows-paths.js';

interface Expected {
  source: string;
  match: (s: ArtefactStats) => boolean;
  missing: string;
  check?: (stats: ArtefactStats[]) => string[];
}

const isChannel =
  (re: RegExp) =>
  (s: ArtefactStats): boolean =>
    s.kind === 'evtx' && re.test(s.label);

/** The sources an ESP-backdoor triage wants, and what is lost without each. */
const EXPECTED: Expected[] = [
  {
    source: 'Application event log',
    match: isChannel(/^application$/i),
    missing: 'Application.evtx not found: SQL Server events (8128 ESP executions, 18456 failed logins, 15457 configuration changes) not checked',
    check: (st) =>
      st.some((s) => [...s.eventIds].some((id) => [8128, 18453, 18454, 18456, 17162, 15457].includes(id))) ? [] : ['no SQL Server events in it (MSSQL provider events absent or overwritten)'],
  },
  {
    source: 'Sysmon',
    match: isChannel(/sysmon/i),
    missing: 'no Sysmon log: DLL loads into sqlservr.exe (event 7) and processes it started (event 1) not checked',
  },
  {
    source: 'Security event log',
    match: isChannel(/^security$/i),
    missing: 'Security.evtx not found: logons and process creation (4688) not checked',
    check: (st) => (st.some((s) => s.eventIds.has(4688)) ? [] : ['no 4688 events: process creation auditing is probably off, so children of sqlservr.exe are not visible here']),
  },
  {
    source: 'System event log',
    match: isChannel(/^system$/i),
    missing: 'System.evtx not found: service starts/stops not checked',
  },
  {
    source: 'ERRORLOG',
    match: (s) => s.kind === 'errorlog',
    missing: 'no SQL Server ERRORLOG found: ESP library loads (33090) and the server-side login log not checked',
  },
];

function summarize(source: string, stats: ArtefactStats[], extraNotes: string[]): CoverageEntry {
  const firsts = stats
    .map((s) => s.first)
    .filter((t): t is string => Boolean(t))
    .sort();
  const lasts = stats
    .map((s) => s.last)
    .filter((t): t is string => Boolean(t))
    .sort();
  const entry: CoverageEntry = {
    source,
    present: stats.length > 0,
    artefacts: stats.map((s) => s.artefact),
    records: stats.reduce((n, s) => n + s.records, 0),
    failed: stats.reduce((n, s) => n + s.failed, 0),
    recovered: stats.reduce((n, s) => n + s.recovered, 0),
    notes: [...stats.flatMap((s) => s.notes.map((n) => `${s.artefact}: ${n}`)), ...extraNotes],
  };
  if (firsts[0]) entry.firstEvent = firsts[0];
  const last = lasts[lasts.length - 1];
  if (last) entry.lastEvent = last;
  if (entry.failed > 0) entry.notes.push(`${entry.failed} record(s) could not be parsed (listed in the errors)`);
  return entry;
}

/** Gap notes kept in the coverage; the count covers them all. */
const MAX_GAP_NOTES = 50;

/** What the collection could not read: an absence there is unknown, not clean. */
/** The coverage entry of what the collection could not read: a gap in what was checked, never a source checked. */
export const COLLECTION_GAPS = 'Collection gaps';

function gapsEntry(gaps: readonly CollectionGap[]): CoverageEntry {
  const notes = gaps.slice(0, MAX_GAP_NOTES).map((g) => `${g.path}: ${g.reason}`);
  if (gaps.length > MAX_GAP_NOTES) notes.push(`... and ${gaps.length - MAX_GAP_NOTES} more (all in the bundle manifest)`);
  return {
    source: COLLECTION_GAPS,
    present: true,
    artefacts: [],
    records: gaps.length,
    failed: gaps.length,
    recovered: 0,
    notes: [`${gaps.length} file(s) or folder(s) could not be read or were not reached: nothing in them was checked`, ...notes],
  };
}

/** What was checked, over which time window, and what was not (so NO_INDICATORS is honest). */
export function buildCoverage(stats: readonly ArtefactStats[], sql: SqlFacts | undefined, dlls: readonly DllFacts[], gaps: readonly CollectionGap[] = []): CoverageEntry[] {
  const out: CoverageEntry[] = [];
  const used = new Set<ArtefactStats>();
  for (const exp of EXPECTED) {
    const mine = stats.filter(exp.match);
    mine.forEach((s) => used.add(s));
    if (mine.length === 0) {
      out.push({ source: exp.source, present: false, artefacts: [], records: 0, failed: 0, recovered: 0, notes: [exp.missing] });
      continue;
    }
    const notes = exp.check ? exp.check(mine) : [];
    if (exp.source === 'ERRORLOG') {
      const first = mine
        .map((s) => s.first)
        .filter(Boolean)
        .sort()[0];
      if (first) notes.push(`earliest ERRORLOG entry ${first}: anything older was rotated out`);
    }
    out.push(summarize(exp.source, mine, notes));
  }
  const others = new Map<string, ArtefactStats[]>();
  for (const s of stats) {
    if (used.has(s)) continue;
    const g = others.get(s.label);
    if (g) g.push(s);
    else others.set(s.label, [s]);
  }
  for (const [label, group] of [...others].sort(([a], [b]) => a.localeCompare(b))) out.push(summarize(label, group, []));

  const sqlNotes: string[] = [];
  if (!sql) {
    sqlNotes.push("no SQL export: the server's registered ESP list, logins and sysadmin members were not checked (run `espy sql-script` on the server, or collect live with sqlcmd)");
  } else {
    if (!sql.esps) sqlNotes.push('the export has no registered-ESP list');
    if (!sql.principals) sqlNotes.push('the export has no server principals (logins)');
    if (!sql.roleMembers) sqlNotes.push('the export has no sysadmin member list');
    if (sql.utcOffsetMinutes === undefined) sqlNotes.push('server UTC offset unknown: export dates kept in server local time');
  }
  out.push({
    source: 'SQL exports',
    present: Boolean(sql),
    artefacts: sql?.files ?? [],
    records: (sql?.esps?.length ?? 0) + (sql?.principals?.length ?? 0) + (sql?.roleMembers?.length ?? 0) + (sql?.configurations?.length ?? 0),
    failed: sql?.errors.length ?? 0,
    recovered: 0,
    notes: sqlNotes,
  });
  // Counted by what the files are, not by why espy looked at them: a Binn DLL that the
  // evidence also names is still a Binn DLL that was collected.
  const collected = dlls.filter((d) => d.file.present);
  const named = dlls.filter((d) => d.foundBy === 'named').length;
  const swept = dlls.filter((d) => d.foundBy === 'sweep').length;
  const binn = collected.filter((d) => locationOf(d.path) === 'binn').length;
  // A DLL that could not be read (the file or a folder above it) is unknown, not absent.
  const unreadable = dlls.filter((d) => !d.file.present && d.file.unreadable !== undefined).length;
  const absent = dlls.length - collected.length - unreadable;
  const notes: string[] = [];
  if (absent > 0) notes.push(`${absent} DLL(s) named by the evidence are not in the source`);
  if (unreadable > 0) notes.push(`${unreadable} DLL(s) could not be read (the file or a folder above it is unreadable): not known to be absent`);
  const dllEntry: CoverageEntry = {
    source: 'DLL files',
    present: dlls.length > 0,
    artefacts: dlls.map((d) => d.path),
    records: dlls.length,
    failed: absent + unreadable,
    recovered: 0,
    notes,
  };
  if (dlls.length > 0) dllEntry.counts = `${collected.length} collected: ${binn} in Binn; ${named} named by the evidence, ${swept} found by the sweep`;
  out.push(dllEntry);
  if (gaps.length > 0) out.push(gapsEntry(gaps));
  return out;
}
