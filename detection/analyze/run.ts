import type { AnalysisResult, SqlInstance } from '../analysis-result.js';
import type { CollectionGap, EvidenceSet } from '../evidence.js';
import { loadRules, summarizeLoad, toRuleLoadFields, type RuleFile } from '../sigma/index.js';
import { assembleResult } from './assemble.js';
import { gatherDlls, namedDlls, type DllClassifier } from './dlls.js';
import type { KnownEsps } from './esp-inventory.js';
import type { AnalysisInputs, Baseline } from './inputs.js';
import { scanEvents } from './scan-events.js';
import { readSqlFacts } from './sql-facts.js';
import { normalizeWinPath } from './windows-paths.js';

export interface AnalyzeOptions {
  /** Sigma rule files (espy's pack and/or the user's). */
  sigma: readonly RuleFile[];
  /** PE/ESP/YARA classification of DLLs; without it DLLs are listed but not classified. */
  classify?: DllClassifier;
  yaraRuleCount?: number;
  yaraErrors?: AnalysisResult['ruleLoad']['yaraErrors'];
  known: KnownEsps;
  baseline?: Baseline;
  espyVersion: string;
  /** UTC ISO time the analysis ran (passed in: detection reads no clock for results). */
  generatedAt: string;
  command?: string;
  signal?: AbortSignal;
  /** Phase progress: `events` in bytes of the event logs (label: the records read), `dlls` in files. */
  onProgress?: (phase: string, done: number, total: number, label: string, unit?: 'bytes') => void;
  /** Monotonic clock for timings (performance.now). */
  clock?: () => number;
  collection?: AnalysisResult['collection'];
  source?: Partial<AnalysisResult['source']>;
}

function instancesFrom(paths: readonly string[], providers: ReadonlySet<string>, banners: { provider: string; productVersion?: string; artefact: string }[]): SqlInstance[] {
  const byProvider = new Map<string, SqlInstance>();
  const get = (provider: string): SqlInstance => {
    let i = byProvider.get(provider.toUpperCase());
    if (!i) {
      const name = provider.toUpperCase() === 'MSSQLSERVER' ? 'MSSQLSERVER' : provider.replace(/^MSSQL\$/i, '');
      i = { name, provider, errorlogPaths: [] };
      byProvider.set(provider.toUpperCase(), i);
    }
    return i;
  };
  for (const p of paths) {
    const m = /^(.*\\Microsoft SQL Server\\MSSQL\d+\.([^\\]+))\\/i.exec(normalizeWinPath(p));
    if (!m?.[1] || !m[2]) continue;
    const inst = get(m[2].toUpperCase() === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${m[2]}`);
    inst.root ??= m[1];
    if (/\\Log\\ERRORLOG(\.\d+)?$/i.test(p) && !inst.errorlogPaths.includes(p)) inst.errorlogPaths.push(p);
  }
  for (const p of providers) get(p);
  for (const b of banners) {
    const inst = get(b.provider);
    if (b.productVersion && !inst.version) inst.version = b.productVersion;
  }
  return [...byProvider.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `{hostname, platform, user}` (bundle manifest) or a string → `user@host (platform)`. */
function describeCollector(v: unknown): string | undefined {
  if (typeof v === 'string') return v || undefined;
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const host = typeof o['hostname'] === 'string' ? o['hostname'] : undefined;
  if (!host) return undefined;
  const user = typeof o['user'] === 'string' ? `${o['user']}@` : '';
  const platform = typeof o['platform'] === 'string' ? ` (${o['platform']})` : '';
  return `${user}${host}${platform}`;
}

function pickHostName(hostInfo: Record<string, unknown> | undefined, computers: Map<string, number>, banners: { serverName?: string }[], location: string): string {
  const h = hostInfo?.['hostname'] ?? hostInfo?.['host'];
  if (typeof h === 'string' && h) return h;
  const top = [...computers].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (top) return top.split('.')[0] ?? top;
  const server = banners.find((b) => b.serverName)?.serverName;
  if (server) return server.split('\\')[0] ?? server;
  return location.split(/[\\/]/).filter(Boolean).pop() ?? 'unknown';
}

/**
 * Evidence → AnalysisResult: reads SQL exports, streams every event log and ERRORLOG through
 * the Sigma rules, classifies every DLL the evidence names or holds, then assembles the
 * result (ESP inventory, findings, timeline, coverage, verdict).
 */
export async function analyze(evidence: EvidenceSet, opts: AnalyzeOptions): Promise<AnalysisResult> {
  const clock = opts.clock ?? (() => 0);
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = clock();
    try {
      return await f();
    } finally {
      timings[name] = Math.round(clock() - t0);
    }
  };

  const loaded = await timed('rules', () => loadRules(opts.sigma));
  // First: checking a bundle against its manifest reads every entry once.
  const integrity = await timed('integrity', () => evidence.integrity?.());
  const artefacts = await timed('list', () => evidence.list());
  const hostInfo = await evidence.hostInfo();
  const errors: { artefact: string; message: string }[] = [];

  const sql = await timed('sql', () => readSqlFacts(evidence, artefacts, opts.signal));
  if (sql) errors.push(...sql.errors);

  const scan = await timed('events', () =>
    scanEvents(evidence, artefacts, {
      rules: loaded.rules,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(sql?.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: sql.utcOffsetMinutes } : {}),
      onBytes: (done, total, records) => opts.onProgress?.('events', done, total, `events, ${records} records`, 'bytes'),
    }),
  );
  errors.push(...scan.errors);
  if (sql && sql.utcOffsetMinutes === undefined) {
    const adj = scan.banners.find((b) => b.utcAdjustmentMinutes !== undefined)?.utcAdjustmentMinutes;
    if (adj !== undefined) sql.utcOffsetMinutes = adj;
  }

  const instances = instancesFrom(
    artefacts.map((a) => a.originalPath),
    scan.providers,
    scan.banners,
  );
  const binnDirs = instances.filter((i) => i.root).map((i) => `${i.root}\\MSSQL\\Binn`);
  const named = namedDlls(scan.events, sql?.esps);
  const gathered = await timed('dlls', () => gatherDlls(evidence, artefacts, named, binnDirs, opts.classify, errors, opts.signal));
  const gaps = await evidence.collectionGaps?.();
  const { dlls, missing } = markUnreadable(gathered, gaps ?? []);

  const inputs: AnalysisInputs = {
    hostName: pickHostName(hostInfo, scan.computers, scan.banners, evidence.location),
    sqlInstances: instances,
    events: scan.events,
    hits: scan.hits,
    sql,
    dlls,
    missingDlls: missing,
    stats: scan.stats,
    errors,
  };
  if (hostInfo) inputs.hostInfo = hostInfo;
  if (opts.baseline) inputs.baseline = opts.baseline;
  if (gaps && gaps.length > 0) inputs.collectionGaps = gaps;
  if (integrity) {
    inputs.integrity = integrity;
    inputs.artefactCount = artefacts.length;
  }

  const source: AnalysisResult['source'] = { kind: evidence.kind, path: evidence.location, ...opts.source };
  // The bundle's hash is the one computed from its bytes, never one copied from its sidecar.
  if (integrity?.bundleSha256) source.bundleSha256 = integrity.bundleSha256;
  if (integrity?.sidecar) source.bundleSidecar = integrity.sidecar;
  const by = describeCollector(hostInfo?.['collectedBy']);
  if (by && !source.collectedBy) source.collectedBy = by;
  const at = hostInfo?.['collectedAt'];
  if (typeof at === 'string' && !source.collectedAt) source.collectedAt = at;
  // Assembling is one pass over everything read: not started once the user has stopped.
  opts.signal?.throwIfAborted();
  const result = assembleResult(inputs, {
    espyVersion: opts.espyVersion,
    generatedAt: opts.generatedAt,
    ...(opts.command ? { command: opts.command } : {}),
    source,
    ruleLoad: {
      ...toRuleLoadFields(summarizeLoad(loaded)),
      yaraRules: opts.yaraRuleCount ?? 0,
      yaraErrors: opts.yaraErrors ?? [],
    },
    known: opts.known,
    timings,
    ...(opts.collection ? { collection: opts.collection } : {}),
  });
  return result;
}

/**
 * A named DLL that the collection could not read (the file or a folder above it failed) is
 * unknown, not absent: it leaves the missing list and says why, so that a folder espy could not
 * list never reads as a deletion.
 */
function markUnreadable(g: Awaited<ReturnType<typeof gatherDlls>>, gaps: readonly CollectionGap[]): Awaited<ReturnType<typeof gatherDlls>> {
  if (gaps.length === 0) return g;
  const byKey = new Map<string, string>();
  for (const x of gaps) if (!x.claimed) byKey.set(normalizeWinPath(x.path).toLowerCase().replace(/\\+$/, ''), x.reason);
  // The path itself or any folder above it (one lookup per level: linear in DLLs, not DLLs × gaps).
  const gapOf = (p: string): string | undefined => {
    let k = normalizeWinPath(p).toLowerCase();
    for (;;) {
      const hit = byKey.get(k);
      if (hit !== undefined) return hit;
      const cut = k.lastIndexOf('\\');
      if (cut <= 0) return undefined;
      k = k.slice(0, cut);
    }
  };
  const unreadable = new Set<string>();
  for (const d of g.dlls) {
    if (d.file.present) continue;
    const why = gapOf(d.path);
    if (!why) continue;
    d.file.unreadable = why;
    d.reasons = d.reasons.map((r) => r.replace(/ but not in the source$/, `; the collection could not read it (${why})`));
    unreadable.add(d.path);
  }
  return { dlls: g.dlls, missing: g.missing.filter((m) => !unreadable.has(m.path)) };
}
