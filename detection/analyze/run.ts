import type { AnalysisResult, ArtefactError, SqlInstance } from '../analysis-result.js';
import type { CollectionGap, EvidenceArtefact, EvidenceSet, HostFacts } from '../evidence.js';
import { binnDirOf, chooseHostName, instanceFolderOf, instanceOfProvider } from '../mssql/index.js';
import { loadRules, summarizeLoad, toRuleLoadFields, type LoadResult, type RuleFile } from '../sigma/index.js';
import { assembleResult } from './assemble.js';
import { gatherDlls, namedDlls, type DllClassifier } from './dlls.js';
import { NamedDllIntake } from './flood.js';
import type { KnownEsps } from './esp-inventory.js';
import type { AnalysisInputs, Baseline, SqlFacts } from './inputs.js';
import { scanEvents, type EventScanResult } from './scan-events.js';
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
  /** The logs already read (`scanLogs`, run by `collect` while it copied them). */
  logScan?: LogScan;
}

function instancesFrom(paths: readonly string[], providers: ReadonlySet<string>, banners: { provider: string; productVersion?: string; artefact: string }[]): SqlInstance[] {
  const byProvider = new Map<string, SqlInstance>();
  const get = (provider: string): SqlInstance => {
    let i = byProvider.get(provider.toUpperCase());
    if (!i) {
      i = { name: instanceOfProvider(provider), provider, errorlogPaths: [] };
      byProvider.set(provider.toUpperCase(), i);
    }
    return i;
  };
  for (const p of paths) {
    // Any path of the evidence may lie in a folder named like an instance: only the standard layout counts here.
    const folder = instanceFolderOf(normalizeWinPath(p), { standardRootOnly: true });
    if (!folder) continue;
    const inst = get(folder.provider);
    inst.root ??= folder.root;
    if (/\\Log\\ERRORLOG(\.\d+)?$/i.test(p) && !inst.errorlogPaths.includes(p)) inst.errorlogPaths.push(p);
  }
  for (const p of providers) get(p);
  for (const b of banners) {
    const inst = get(b.provider);
    if (b.productVersion && !inst.version) inst.version = b.productVersion;
  }
  return [...byProvider.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The SQL exports and the event logs read through the rules: the part of an analysis that streams. */
export interface LogScan {
  rules: LoadResult;
  sql: SqlFacts | undefined;
  scan: EventScanResult;
  errors: ArtefactError[];
  timings: Record<string, number>;
}

/**
 * Reads the SQL exports (their UTC offset dates ERRORLOG lines that carry no banner), then
 * streams every event log and ERRORLOG of `artefacts` once through the rules. `collect` runs
 * it while the logs are copied, on the bytes the copy reads.
 */
export async function scanLogs(evidence: EvidenceSet, artefacts: readonly EvidenceArtefact[], rules: LoadResult, opts: Pick<AnalyzeOptions, 'signal' | 'onProgress' | 'clock'>): Promise<LogScan> {
  const clock = opts.clock ?? (() => 0);
  const t0 = clock();
  const sql = await readSqlFacts(evidence, artefacts, opts.signal);
  const t1 = clock();
  // The budgets of flood.ts (DLL names per kind of evidence, export rows), offered the export's rows, then the logs' events.
  const names = new NamedDllIntake();
  if (sql?.esps) sql.esps = names.exportRows(sql.esps, sql.espsNotKept);
  const scan = await scanEvents(evidence, artefacts, {
    rules: rules.rules,
    namedDlls: names,
    ...(rules.files ? { ruleFiles: rules.files } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(sql?.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: sql.utcOffsetMinutes } : {}),
    onBytes: (done, total, records) => opts.onProgress?.('events', done, total, `events, ${records} records`, 'bytes'),
  });
  if (sql && sql.utcOffsetMinutes === undefined) {
    const adj = scan.banners.find((b) => b.utcAdjustmentMinutes !== undefined)?.utcAdjustmentMinutes;
    if (adj !== undefined) sql.utcOffsetMinutes = adj;
  }
  return { rules, sql, scan, errors: [...(sql?.errors ?? []), ...scan.errors], timings: { sql: Math.round(t1 - t0), events: Math.round(clock() - t1) } };
}

/** The logs and exports of a list, as one comparable text: what the log scan reads. */
function logKeys(artefacts: readonly EvidenceArtefact[]): string {
  return artefacts
    .filter((a) => a.kind === 'evtx' || a.kind === 'errorlog' || a.kind === 'sql-export')
    .map((a) => [a.kind, a.originalPath, a.storedPath ?? '', a.size].join('\u0000'))
    .sort()
    .join('\n');
}

function pickHostName(hostInfo: HostFacts | undefined, computers: Map<string, number>, banners: { serverName?: string }[], location: string): string {
  const serverNames = banners.flatMap((b) => (b.serverName ? [b.serverName] : []));
  return chooseHostName({ declared: hostInfo?.hostname, computers, serverNames, location }).name;
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

  const loaded = opts.logScan?.rules ?? (await timed('rules', () => loadRules(opts.sigma)));
  // Checking a bundle against its manifest reads every entry: it runs on the other core (zlib's
  // pool, the hash worker) while this thread scans the logs of what the bundle claims to hold.
  const checking = timed('integrity', () => evidence.integrity?.());
  checking.catch(() => undefined);
  let logs = opts.logScan;
  if (!logs) {
    const claimed = await (evidence.listClaimed?.() ?? evidence.list());
    logs = await scanLogs(evidence, claimed, loaded, opts);
    const checked = await evidence.list();
    // A check that changed what a log is (a row that lied about its entry): scanned again from the checked list.
    if (logKeys(claimed) !== logKeys(checked)) logs = await scanLogs(evidence, checked, loaded, opts);
  }
  const integrity = await checking;
  const artefacts = await timed('list', () => evidence.list());
  const hostInfo = await evidence.hostInfo();
  Object.assign(timings, logs.timings);
  const { sql, scan } = logs;
  const errors: ArtefactError[] = [...logs.errors];

  const instances = instancesFrom(
    artefacts.map((a) => a.originalPath),
    scan.providers,
    scan.banners,
  );
  const binnDirs = instances.flatMap((i) => (i.root ? [binnDirOf(i.root)] : []));
  const named = namedDlls(scan.events, sql?.esps);
  const gathered = await timed('dlls', () => gatherDlls(evidence, artefacts, named, binnDirs, opts.classify, errors, opts.signal));
  const gaps = await evidence.collectionGaps?.();
  const { dlls, missing } = markUnreadable(gathered, gaps ?? []);

  const inputs: AnalysisInputs = {
    hostName: pickHostName(hostInfo, scan.computers, scan.banners, evidence.location),
    sqlInstances: instances,
    events: scan.events,
    hits: scan.hits,
    hitOverflow: scan.hitOverflow,
    sql,
    dlls,
    missingDlls: missing,
    stats: scan.stats,
    errors,
  };
  if (hostInfo) inputs.hostInfo = hostInfo;
  if (opts.baseline) inputs.baseline = opts.baseline;
  if (scan.flood) inputs.flood = scan.flood;
  if (gaps && gaps.length > 0) inputs.collectionGaps = gaps;
  if (integrity) {
    inputs.integrity = integrity;
    inputs.artefactCount = artefacts.length;
  }

  const source: AnalysisResult['source'] = { kind: evidence.kind, path: evidence.location, ...opts.source };
  // The bundle's hash is the one computed from its bytes, never one copied from its sidecar.
  if (integrity?.bundleSha256) source.bundleSha256 = integrity.bundleSha256;
  if (integrity?.sidecar) source.bundleSidecar = integrity.sidecar;
  if (hostInfo?.collectedBy && !source.collectedBy) source.collectedBy = hostInfo.collectedBy;
  if (hostInfo?.collectedAt && !source.collectedAt) source.collectedAt = hostInfo.collectedAt;
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
