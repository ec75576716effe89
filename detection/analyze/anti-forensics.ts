import type { EspEntry, EvidenceRef, Finding, Severity, TimelineEntry } from '../analysis-result.js';
import { SEVERITIES } from '../analysis-result.js';
import { excerpt, refOf, timeRange } from './evidence-ref.js';
import { espEventIndex } from './group.js';
import type { ArtefactStats, DllFacts, SourcedEvent, SqlFacts } from './inputs.js';
import { nextStepsFor } from './next-steps.js';
import { normalizeWinPath, winBasename } from './windows-paths.js';

/**
 * Traces of an intruder removing traces, beyond what the Sigma rules see in single events
 * (cleared logs, audit policy changes): ERRORLOG generations started in a burst, and an ESP
 * DLL the logs show in use that is gone from both the disk and the registered ESP list.
 */

type Draft = Omit<Finding, 'id'>;

/** ERRORLOG generations that, started within ERRORLOG_CYCLE_WINDOW_MS, make a burst. */
export const ERRORLOG_CYCLE_MIN_GENERATIONS = 5;
export const ERRORLOG_CYCLE_WINDOW_MS = 3_600_000;
/** Evidence items kept per anti-forensics finding. */
const MAX_EVIDENCE = 10;

export interface AntiForensicsInput {
  esps: readonly EspEntry[];
  events: readonly SourcedEvent[];
  sql: SqlFacts | undefined;
  stats: readonly ArtefactStats[];
  dlls: readonly DllFacts[];
}

export function findingsFromAntiForensics(input: AntiForensicsInput): Draft[] {
  return [...errorlogCycling(input.stats, input.events), ...usedThenRemoved(input)];
}

function dirOf(artefact: string): string {
  const path = normalizeWinPath(artefact);
  return path.slice(0, Math.max(0, path.lastIndexOf('\\')));
}

function folderOf(artefact: string): string {
  return dirOf(artefact).toLowerCase();
}

/** The line SQL Server writes at the end of a generation closed by sp_cycle_errorlog. */
const CYCLE_REQUESTED = /^Attempting to cycle error log\b/;

/**
 * SQL Server starts a new ERRORLOG at every service start and at every `sp_cycle_errorlog`
 * (or `DBCC ERRORLOG`), and keeps six archives by default: a handful of generations started
 * within an hour pushes the older ones, and the ESP loads and logins they held, out of
 * existence. One start per generation is its earliest entry, per instance log folder.
 */
function errorlogCycling(stats: readonly ArtefactStats[], events: readonly SourcedEvent[]): Draft[] {
  const byFolder = new Map<string, { artefact: string; start: string }[]>();
  for (const s of stats) {
    if (s.kind !== 'errorlog' || !s.first || !/^\d{4}-\d{2}-\d{2}T/.test(s.first) || Number.isNaN(Date.parse(s.first))) continue;
    const folder = folderOf(s.artefact);
    const list = byFolder.get(folder) ?? [];
    list.push({ artefact: s.artefact, start: s.first });
    byFolder.set(folder, list);
  }
  const out: Draft[] = [];
  for (const [folder, list] of byFolder) {
    list.sort((a, b) => a.start.localeCompare(b.start));
    // Sliding window over the sorted starts: linear, however many generations are planted.
    const ms = list.map((g) => Date.parse(g.start));
    let bestFrom = 0;
    let bestLen = 0;
    for (let i = 0, j = 0; j < list.length; j++) {
      while (ms[j]! - ms[i]! > ERRORLOG_CYCLE_WINDOW_MS) i++;
      if (j - i + 1 > bestLen) [bestFrom, bestLen] = [i, j - i + 1];
    }
    const best = list.slice(bestFrom, bestFrom + bestLen);
    if (best.length < ERRORLOG_CYCLE_MIN_GENERATIONS) continue;
    const refs: EvidenceRef[] = best.map((g): EvidenceRef => ({
      artefact: g.artefact,
      kind: 'errorlog',
      timestamp: g.start,
      excerpt: excerpt(`${winBasename(g.artefact)} begins ${g.start}`),
    }));
    const first = best[0]!;
    const last = best[best.length - 1]!;
    // Each new generation of the burst was asked for by a line at the end of the one before.
    const from = Date.parse(first.start) - ERRORLOG_CYCLE_WINDOW_MS;
    const requests = events.filter(
      (ev) => ev.kind === 'errorlog' && CYCLE_REQUESTED.test(ev.message) && folderOf(ev.artefact) === folder && Date.parse(ev.summary.timestamp) >= from && ev.summary.timestamp <= last.start,
    );
    const sessions = [...new Set(requests.map((ev) => errorlogSource(ev)).filter((x): x is string => Boolean(x)))].slice(0, 5);
    for (const ev of requests.slice(0, MAX_EVIDENCE)) refs.push(refOf(ev));
    const minutes = Math.max(1, Math.round((Date.parse(last.start) - Date.parse(first.start)) / 60_000));
    const attack = ['T1070'];
    out.push({
      ruleId: 'espy.anti-forensics.errorlog-cycled',
      title: `ERRORLOG restarted ${best.length} times within ${minutes} minute${minutes === 1 ? '' : 's'}`,
      severity: 'medium',
      attack,
      source: 'correlation',
      explanation:
        `${best.length} ERRORLOG generations in ${dirOf(first.artefact)} began between ${first.start} and ${last.start}. ` +
        'SQL Server starts a new ERRORLOG at each service start and each sp_cycle_errorlog, and deletes the oldest beyond its archive count (six by default): cycling it repeatedly erases older entries, such as ESP loads and logins. ' +
        (requests.length > 0
          ? `${requests.length} request${requests.length === 1 ? '' : 's'} to cycle the log (sp_cycle_errorlog or DBCC ERRORLOG${sessions.length > 0 ? `, session ${sessions.join(', ')}` : ''}) came just before them: not service starts.`
          : 'No generation says it was cycled on request: a crash loop or repeated service restarts also do this.'),
      nextSteps: [
        "Look in these generations for 'Attempting to cycle error log' (sp_cycle_errorlog) versus service starts, and for who ran it (SQL Server Audit, default trace).",
        ...nextStepsFor(attack, 'correlation'),
      ],
      evidence: refs.slice(0, MAX_EVIDENCE),
      count: best.length,
      ...timeRange(refs),
    });
  }
  return out;
}

/** The ERRORLOG source column (`spid66`) of an entry, as the parser keeps it. */
function errorlogSource(ev: SourcedEvent): string | undefined {
  const log = ev.event.Event['ErrorLog'];
  if (log === null || typeof log !== 'object' || Array.isArray(log)) return undefined;
  const src = log['Source'];
  return typeof src === 'string' && src ? src : undefined;
}

/** Events by the DLL path they name (lower case), each list in time order: built once. */
function eventsByDll(events: readonly SourcedEvent[]): Map<string, SourcedEvent[]> {
  const out = new Map<string, SourcedEvent[]>();
  for (const [key, list] of espEventIndex(events))
    out.set(
      key,
      list.map((x) => x.ev).sort((a, b) => a.summary.timestamp.localeCompare(b.summary.timestamp)),
    );
  return out;
}

/**
 * An ESP DLL that the logs show loaded or executed, that is not at its path in the evidence
 * and not in the server's registered ESP list: run, then dropped and deleted. Only said when
 * the evidence holds DLL files at all (a logs-only source says nothing about the disk) and
 * a SQL export was given (without one the registered list is unknown).
 */
function usedThenRemoved(input: AntiForensicsInput): Draft[] {
  const diskSeen = input.dlls.some((d) => d.file.present);
  if (!diskSeen || !input.sql?.esps) return [];
  const out: Draft[] = [];
  let byDll: Map<string, SourcedEvent[]> | undefined;
  for (const e of input.esps) {
    const used = e.executions.count > 0 || e.loads.count > 0;
    if (!used || e.registered !== false || e.file?.present !== false || !e.dllPath) continue;
    byDll ??= eventsByDll(input.events);
    const evs = byDll.get(normalizeWinPath(e.dllPath).toLowerCase()) ?? [];
    const seen = [...new Set([...e.executions.sources, ...e.loads.sources])].sort();
    const first = [e.loads.first, e.executions.first].filter((t): t is string => Boolean(t)).sort()[0];
    const last = [e.loads.last, e.executions.last]
      .filter((t): t is string => Boolean(t))
      .sort()
      .pop();
    // The log lines first, then what is missing: both kept within MAX_EVIDENCE.
    const refs: EvidenceRef[] = evs.slice(0, MAX_EVIDENCE - 2).map((ev) => refOf(ev));
    refs.push({ artefact: e.dllPath, kind: 'pe', excerpt: excerpt(`${e.dllPath}: not in the evidence`) });
    const exportFile = input.sql.esps[0]?.file ?? input.sql.files[0] ?? 'SQL export';
    refs.push({
      artefact: exportFile,
      kind: 'sql-export',
      excerpt: excerpt(`${input.sql.esps.length} registered ESP(s), none with DLL ${winBasename(e.dllPath)}`),
    });
    const procs = e.procedures.length > 0 ? ` (procedure${e.procedures.length > 1 ? 's' : ''} ${e.procedures.join(', ')})` : '';
    // SQL Server's own ESP messages make it an ESP; a Sysmon image load alone could be any
    // DLL pulled into sqlservr.exe (security products load and remove temporary ones).
    const sqlServerSaw = seen.some((s) => !s.startsWith('Sysmon'));
    const attack = ['T1070.004', 'T1505.001'];
    out.push({
      ruleId: 'espy.anti-forensics.esp-used-then-removed',
      title: sqlServerSaw ? `ESP DLL used, then removed: ${e.dllPath}` : `DLL loaded into sqlservr.exe, then removed: ${e.dllPath}`,
      severity: sqlServerSaw ? 'high' : 'medium',
      attack,
      source: 'correlation',
      explanation:
        `${sqlServerSaw ? "SQL Server's logs show" : 'Sysmon shows sqlservr.exe loading'} ${e.dllPath}${procs} ${e.executions.count > 0 ? `executed ${e.executions.count}×` : `loaded ${e.loads.count}×`}` +
        `${first ? `, logged from ${first} to ${last ?? first}` : ''} (${seen.join(', ')}), ` +
        "yet the DLL is not at that path in the evidence and the server's registered ESP list (SQL export) does not name it. " +
        (sqlServerSaw
          ? 'Someone ran it, then dropped the procedure and deleted the file: cleaning up after using a backdoor.'
          : 'Only Sysmon saw it: an ESP removed after use, or a temporary DLL of another product loaded into the process.'),
      nextSteps: [
        'Recover the DLL: volume shadow copies, backups, EDR or antivirus quarantine, the MFT and $UsnJrnl of the volume (its name and the deletion time), memory of sqlservr.exe if the service was not restarted.',
        'Look for sp_dropextendedproc and DBCC <dll>(FREE) around the last use (SQL Server Audit, default trace) and for who was logged in then.',
        'Check for other persistence left behind: registered ESPs, backdoor logins (sys.server_principals by create_date), sysadmin members, startup procedures and Agent jobs.',
        ...nextStepsFor(['T1070'], 'correlation'),
      ],
      evidence: refs.slice(0, MAX_EVIDENCE),
      count: Math.max(1, e.executions.count + e.loads.count),
      ...(first ? { firstSeen: first } : {}),
      ...(last ? { lastSeen: last } : {}),
    });
  }
  return out;
}

function refKey(r: EvidenceRef): string {
  return `${r.artefact}|${r.recordId ?? ''}|${r.line ?? ''}|${r.offset ?? ''}`;
}

function higher(a: Severity | undefined, b: Severity): Severity {
  return a !== undefined && SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/**
 * Puts these findings' timed evidence in the timeline: a row already there (the ESP event
 * the finding cites) gets the finding's rule id and severity; other timed evidence (the
 * start of each ERRORLOG generation) becomes a row of its own. Returns a new sorted list.
 */
export function withAntiForensics(timeline: readonly TimelineEntry[], findings: readonly Draft[]): TimelineEntry[] {
  const rows = timeline.map((r) => ({ ...r, ruleIds: [...r.ruleIds] }));
  const byRef = new Map(rows.map((r) => [refKey(r.ref), r]));
  for (const f of findings) {
    for (const ref of f.evidence) {
      if (!ref.timestamp) continue;
      let row = byRef.get(refKey(ref));
      if (!row) {
        row = { timestamp: ref.timestamp, source: winBasename(ref.artefact), message: `${f.title}: ${ref.excerpt}`, ruleIds: [], ref };
        rows.push(row);
        byRef.set(refKey(ref), row);
      }
      if (!row.ruleIds.includes(f.ruleId)) row.ruleIds.push(f.ruleId);
      row.severity = higher(row.severity, f.severity);
    }
  }
  return rows.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.source.localeCompare(b.source) || (a.ref.recordId ?? a.ref.line ?? 0) - (b.ref.recordId ?? b.ref.line ?? 0));
}
