import type { EspEntry, Login, Severity, TimelineEntry } from '../analysis-result.js';
import { SEVERITIES } from '../analysis-result.js';
import { espEventDll } from '../esp/events.js';
import { excerpt, refOf } from './evidence-ref.js';
import type { RuleHit, SourcedEvent, SqlFacts } from './inputs.js';
import { sqlLocalToUtc } from './sql-time.js';
import { winBasename } from './windows-paths.js';

function eventKey(ev: SourcedEvent): string {
  return `${ev.artefact}|${ev.origin.recordId ?? ''}|${ev.origin.line ?? ''}|${ev.origin.offset ?? ''}`;
}

function maxSeverity(a: Severity | undefined, b: Severity): Severity {
  if (a === undefined) return b;
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

function sourceLabel(ev: SourcedEvent): string {
  return winBasename(ev.artefact);
}

/**
 * The attack timeline: every event a rule matched, every ESP load/execution, the creation of
 * suspicious ESPs and logins, and the backdoor DLL's file times; sorted by UTC time.
 */
export function buildTimeline(input: { hits: readonly RuleHit[]; events: readonly SourcedEvent[]; esps: readonly EspEntry[]; logins: readonly Login[]; sql: SqlFacts | undefined }): TimelineEntry[] {
  // The first export row of each procedure name and create date: one lookup per ESP, not a scan of the export.
  const exportRows = new Map<string, number>();
  const esps = input.sql?.esps ?? [];
  esps.forEach((r, i) => {
    const key = `${r.name}\u0000${r.createDate}`;
    if (r.createDate !== undefined && !exportRows.has(key)) exportRows.set(key, i);
  });
  const rows = new Map<string, TimelineEntry>();
  const addEvent = (ev: SourcedEvent, ruleId: string | undefined, severity: Severity | undefined): void => {
    const key = eventKey(ev);
    let row = rows.get(key);
    if (!row) {
      row = {
        timestamp: ev.summary.timestamp,
        source: sourceLabel(ev),
        provider: ev.summary.provider,
        eventId: ev.summary.eventId,
        message: excerpt(ev.message),
        ruleIds: [],
        ref: refOf(ev),
      };
      if (ev.localTime) row.localTime = ev.localTime;
      rows.set(key, row);
    }
    if (ruleId && !row.ruleIds.includes(ruleId)) row.ruleIds.push(ruleId);
    if (severity) row.severity = maxSeverity(row.severity, severity);
  };
  for (const h of input.hits) {
    for (const ev of h.related && h.related.length > 0 ? h.related : [h.event]) addEvent(ev, h.ruleId, h.level);
  }
  const espSeverity = new Map<string, Severity | undefined>();
  for (const e of input.esps) {
    const sev: Severity | undefined = e.suspicion === 'malicious' ? 'critical' : e.suspicion === 'suspicious' ? 'medium' : undefined;
    espSeverity.set(winBasename(e.dll).toLowerCase(), sev);
  }
  for (const ev of input.events) {
    const named = espEventDll(ev.event, ev.summary);
    if (!named) continue;
    addEvent(ev, undefined, espSeverity.get(winBasename(named.dll).toLowerCase()));
  }
  const out = [...rows.values()];
  for (const e of input.esps) {
    if (e.suspicion !== 'malicious' && e.suspicion !== 'suspicious') continue;
    const sev: Severity = e.suspicion === 'malicious' ? 'critical' : 'medium';
    if (e.file?.present && e.file.path) {
      for (const [label, t] of [
        ['created', e.file.created],
        ['modified', e.file.modified],
      ] as const) {
        if (!t) continue;
        out.push({
          timestamp: t,
          source: 'file system',
          message: `ESP DLL ${e.file.path} ${label} (file time)`,
          severity: sev,
          ruleIds: [],
          ref: { artefact: e.file.path, kind: 'pe', timestamp: t, excerpt: `${label} ${t}`, ...(e.file.storedPath ? { storedPath: e.file.storedPath } : {}) },
        });
      }
    }
    if (e.registeredAt) {
      const utc = input.sql?.utcOffsetMinutes !== undefined ? sqlLocalToUtc(e.registeredAt, input.sql.utcOffsetMinutes) : undefined;
      // The earliest row in the export among the ESP's procedures.
      let at = Infinity;
      for (const name of e.procedures) at = Math.min(at, exportRows.get(`${name}\u0000${e.registeredAt}`) ?? Infinity);
      const row = Number.isFinite(at) ? esps[at] : undefined;
      if (utc) {
        out.push({
          timestamp: utc,
          localTime: e.registeredAt,
          source: 'SQL export',
          message: `ESP ${e.procedures.join(', ')} registered → ${e.dll}`,
          severity: sev,
          ruleIds: [],
          ref: {
            artefact: row?.file ?? 'SQL export',
            kind: 'sql-export',
            timestamp: utc,
            excerpt: `registered ${e.registeredAt} (server time)`,
            ...(row?.line !== undefined ? { line: row.line } : {}),
          },
        });
      }
    }
  }
  for (const l of input.logins) {
    if (!l.createdDuringIncident || !l.createDate) continue;
    out.push({
      timestamp: l.createDate,
      source: 'SQL export',
      message: `login ${l.name} (${l.type}) created${l.isSysadmin ? ', sysadmin' : ''}`,
      severity: l.isSysadmin ? 'critical' : 'high',
      ruleIds: ['espy.login.created-during-incident'],
      ref: { artefact: l.source.replace(/:\d+$/, ''), kind: 'sql-export', timestamp: l.createDate, excerpt: `login ${l.name} created` },
    });
  }
  return out.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.source.localeCompare(b.source) || (a.ref.recordId ?? a.ref.line ?? 0) - (b.ref.recordId ?? b.ref.line ?? 0));
}
