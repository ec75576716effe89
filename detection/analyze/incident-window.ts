import type { Finding, Severity } from '../analysis-result.js';
import { SEVERITIES } from '../analysis-result.js';

/**
 * The incident window from clusters of malicious activity. High and critical evidence is
 * split wherever INCIDENT_QUIET_GAP_MS pass with none of it; the window is the cluster(s)
 * that hold the strongest evidence of the ESP backdoor, not the first to the last malicious
 * event. A years-old event (a 2019 Sysmon record in a log that also holds 2026 activity, a
 * login created at installation) then stays out of the window instead of stretching it.
 */

/** A quiet spell this long with no high or critical evidence separates two clusters. */
export const INCIDENT_QUIET_GAP_MS = 7 * 24 * 3_600_000;
/** A login created up to this long after a cluster's last evidence still belongs to it. */
export const LOGIN_AFTER_CLUSTER_MS = 24 * 3_600_000;

export interface Span {
  start: string;
  end: string;
}

export interface IncidentCluster extends Span {
  /** Timed evidence items in the cluster. */
  count: number;
  /** Most severe evidence of the ESP backdoor in it (undefined: none). */
  espSeverity?: Severity;
}

export interface IncidentWindow extends Span {
  /** The clusters the window is made of, in time order (the window spans them). */
  clusters: IncidentCluster[];
  /** Clusters of high/critical evidence left out of the window. */
  outside: IncidentCluster[];
}

interface Point {
  t: string;
  ms: number;
  esp?: Severity;
}

const ISO = /^\d{4}-\d{2}-\d{2}T/;
const rank = (s: Severity | undefined): number => (s === undefined ? SEVERITIES.length : SEVERITIES.indexOf(s));

/** Evidence of the ESP backdoor: ESP, YARA and rule findings tagged Server Software Component: SQL Stored Procedures. */
function isEspFinding(f: Finding): boolean {
  return f.attack.some((a) => a.toUpperCase().startsWith('T1505.001'));
}

/** Logged evidence only: file-system times are copied, restored and rewritten. */
function points(findings: readonly Finding[]): Point[] {
  const out: Point[] = [];
  for (const f of findings) {
    if (f.severity !== 'critical' && f.severity !== 'high') continue;
    const esp = isEspFinding(f) ? f.severity : undefined;
    for (const e of f.evidence) {
      if (e.kind === 'pe' || !e.timestamp || !ISO.test(e.timestamp)) continue;
      const ms = Date.parse(e.timestamp);
      if (Number.isNaN(ms)) continue;
      out.push(esp ? { t: e.timestamp, ms, esp } : { t: e.timestamp, ms });
    }
  }
  return out.sort((a, b) => a.ms - b.ms || a.t.localeCompare(b.t));
}

/** High/critical evidence split at quiet gaps longer than INCIDENT_QUIET_GAP_MS, in time order. */
export function incidentClusters(findings: readonly Finding[]): IncidentCluster[] {
  const out: IncidentCluster[] = [];
  let prev: Point | undefined;
  for (const p of points(findings)) {
    let c = out[out.length - 1];
    if (!c || !prev || p.ms - prev.ms > INCIDENT_QUIET_GAP_MS) {
      c = { start: p.t, end: p.t, count: 0 };
      out.push(c);
    }
    c.end = p.t;
    c.count++;
    if (p.esp && rank(p.esp) < rank(c.espSeverity)) c.espSeverity = p.esp;
    prev = p;
  }
  return out;
}

/**
 * The clusters holding the most severe ESP evidence, spanned from the first to the last of
 * them; without ESP evidence, the cluster with the most evidence (the latest on a tie).
 */
export function incidentWindow(findings: readonly Finding[]): IncidentWindow | undefined {
  const clusters = incidentClusters(findings);
  if (clusters.length === 0) return undefined;
  // reduce, not Math.min(...): a forged log can make more clusters than a call takes arguments.
  const best = clusters.reduce<number>((m, c) => Math.min(m, rank(c.espSeverity)), SEVERITIES.length);
  let chosen: IncidentCluster[];
  if (best < SEVERITIES.length) {
    chosen = clusters.filter((c) => rank(c.espSeverity) === best);
  } else {
    const most = clusters.reduce<number>((m, c) => Math.max(m, c.count), 0);
    chosen = [clusters.filter((c) => c.count === most).pop()!];
  }
  const first = chosen[0]!;
  const last = chosen[chosen.length - 1]!;
  const inWindow = new Set(chosen);
  return {
    start: first.start,
    end: last.end,
    clusters: chosen,
    outside: clusters.filter((c) => !inWindow.has(c)),
  };
}

/** Inside one of the window's clusters, or within LOGIN_AFTER_CLUSTER_MS after its end. */
export function isDuringIncident(utc: string, window: IncidentWindow | undefined): boolean {
  if (!window || !ISO.test(utc)) return false;
  const t = Date.parse(utc);
  if (Number.isNaN(t)) return false;
  return window.clusters.some((c) => t >= Date.parse(c.start) && t <= Date.parse(c.end) + LOGIN_AFTER_CLUSTER_MS);
}
