/**
 * Small pure formatting helpers shared by the report sections and exports. No clock, no
 * locale: output depends only on the input, so a report is byte-for-byte reproducible.
 */
import type { EvidenceRef, Severity } from '../detection/analysis-result.js';

/** Sigma levels, most severe first (mirrors `SEVERITIES` in analysis-result.ts, type-only import there). */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];

/** 0 for critical … 4 for informational, 5 for anything else (hostile or missing). */
export function severityRank(s: string | undefined): number {
  const i = SEVERITY_ORDER.indexOf(s as Severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/** A known severity or undefined (class names and CSS hooks only ever see these five). */
export function knownSeverity(s: string | undefined): Severity | undefined {
  return SEVERITY_ORDER.includes(s as Severity) ? (s as Severity) : undefined;
}

/** `2026-03-14T02:17:43.1230000Z` → `2026-03-14 02:17:43.1230000Z` (display only; sort on the ISO form). */
export function displayTime(iso: string | undefined): string {
  if (!iso) return '';
  return /^\d{4}-\d\d-\d\dT/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11)}` : iso;
}

/** Bytes as `1.5 MiB` (binary units, one decimal). */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Milliseconds as `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Total elapsed time of an analysis: `timings.total` when present, else the sum of phases. */
export function elapsedMs(timings: Record<string, number>): number | undefined {
  const total = timings['total'];
  if (typeof total === 'number' && Number.isFinite(total)) return total;
  const vals = Object.values(timings).filter((v) => typeof v === 'number' && Number.isFinite(v));
  return vals.length === 0 ? undefined : vals.reduce((a, b) => a + b, 0);
}

/** Where a piece of evidence is, in words: `Application.evtx, record 1234` / `ERRORLOG, line 56`. */
export function whereText(ref: EvidenceRef): string {
  const parts = [ref.artefact];
  if (ref.recordId !== undefined) parts.push(`record ${ref.recordId}`);
  if (ref.line !== undefined) parts.push(`line ${ref.line}`);
  if (ref.offset !== undefined) parts.push(`offset 0x${ref.offset.toString(16)}`);
  return parts.join(', ');
}

/** Stable sort by key (copy; input untouched). */
export function stableSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => cmp(a.item, b.item) || a.i - b.i)
    .map((x) => x.item);
}

/** Plain code-unit string comparison (locale-independent, deterministic). */
export function compareStrings(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** An ATT&CK technique id (`T1505`, `T1505.001`) or undefined when the text is anything else. */
export function attackId(s: string): string | undefined {
  const m = /^(?:attack\.)?(t\d{4})(?:\.(\d{3}))?$/i.exec(s.trim());
  if (!m || !m[1]) return undefined;
  return m[2] ? `${m[1].toUpperCase()}.${m[2]}` : m[1].toUpperCase();
}

/** The MITRE page of a validated technique id. */
export function attackUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}
