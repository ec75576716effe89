/**
 * Planning a collection (plan first, then do the I/O): walk the source against the
 * targets, read the logs to learn which DLLs they name (phase one), resolve those names to
 * files, and classify sweep candidates. `collect` streams the plan into a bundle; the folder
 * `EvidenceSet` lists the same plan, so analysing a folder sees what collecting it would.
 */
import type { EvidenceKind } from '../detection/evidence.js';
import { summarizeEvent } from '../parsers/common/event.js';
import { parseErrorlog } from '../parsers/errorlog/index.js';
import type { Classification, EventReader, FileClassifier } from './classify.js';
import { MAX_SWEEP_CLASSIFIED, MAX_SWEEP_FILE_BYTES, readSmall, SWEEP_TIME_BUDGET_MS, sweepCandidatesInto, toItem } from './plan-sweep.js';
import { dllRefsFromEvent, dllRefsFromSqlExport, type DllRef } from './dll-refs.js';
import { scanErrorlog } from './errorlog-scan.js';
import type { FsView } from './fs-view.js';
import type { DriveRoot, SourceLayout } from './source-layout.js';
import { instanceFromFolder } from '../detection/mssql/index.js';
import { allTargets, type SweepMode, type Target } from './targets/index.js';
import { resolveSegments, walkDrive, type FoundFile, type WalkSkip } from './walk.js';
import { formatWindowsPath, globMatch, parseWindowsPath, storedPathFor, windowsPathKey } from './win-path.js';

/** Warnings for named DLLs that are not found, one each up to this many (a hostile log names thousands). */
const MAX_MISSING_WARNINGS = 100;

/** The error of a named DLL that the source does not hold. */
export const NOT_IN_SOURCE = 'not present in the source';

export { MAX_SWEEP_CLASSIFIED, MAX_SWEEP_FILE_BYTES, SWEEP_TIME_BUDGET_MS };

/** ERRORLOGs above this size skip the full parser; their lines are still scanned for DLL names in chunks. */
export const MAX_ERRORLOG_PARSE_BYTES = 8 * 1024 * 1024;

/** Event logs read in phase one for DLL names. */
export const DLL_NAMING_LOGS = /^(Application|Microsoft-Windows-Sysmon%4Operational)\.evtx$/i;

export type PlanAction = 'copy' | 'hash' | 'missing' | 'error';

export interface PlanItem {
  originalPath: string;
  storedPath: string;
  drive: string;
  segments: string[];
  fsPath: string[];
  kind: EvidenceKind;
  target: string;
  action: PlanAction;
  reason: string;
  classification?: Classification;
  error?: string;
}

export interface PlanOptions {
  /** Targets known only at run time (a live host's SQL Server folders from the registry). */
  extraTargets?: readonly Target[];
  sweep: SweepMode;
  copyBinn: boolean;
  maxFileSize: number;
  signal?: AbortSignal;
  classify?: FileClassifier;
  readEvents?: EventReader;
  log(level: 'info' | 'warn' | 'debug', msg: string): void;
  /** SQL exports already read (text), for the DLL names they list (`dll_name`). */
  sqlExports?: readonly { label: string; text: string }[];
  /** Progress of the phases (label, done, total). */
  progress?(phase: string, done: number, total: number): void;
  /** Sweep budgets (defaults MAX_SWEEP_CLASSIFIED, SWEEP_TIME_BUDGET_MS); reaching one is listed in `skipped`. */
  sweepBudget?: { files?: number; ms?: number };
  /** Called with the plan so far (logs, named DLLs, Binn) before the sweep starts: `collect` copies them then. */
  beforeSweep?(items: readonly PlanItem[]): Promise<void>;
  /** Windows paths the sweep never reads: espy's own executable, its output folder (and all below). */
  sweepExclude?: readonly string[];
}

export interface CollectionPlan {
  items: PlanItem[];
  /** Host names the evidence itself gives (event `Computer`, ERRORLOG "Server name is"). */
  hostNames: string[];
  instances: { name: string; root: string }[];
  sweepSeen: number;
  sweepPe: number;
  /** Folders the walk could not list or did not enter (a budget): what the collection could not see. */
  skipped: WalkSkip[];
}

async function instanceRoots(view: FsView, drive: DriveRoot): Promise<{ name: string; root: string; binn: string[] }[]> {
  const out: { name: string; root: string; binn: string[] }[] = [];
  const top = await view.readDir(drive.base);
  if (!top.ok) return out;
  for (const pf of top.value.filter((e) => e.type === 'dir' && globMatch('Program Files*', e.name))) {
    const ms = await resolveSegments(view, drive, [pf.name, 'Microsoft SQL Server']);
    if (!ms) continue;
    const list = await view.readDir(ms);
    if (!list.ok) continue;
    for (const inst of list.value.filter((e) => e.type === 'dir' && globMatch('MSSQL*.*', e.name))) {
      const name = instanceFromFolder(inst.name);
      if (!name) continue;
      const segs = [pf.name, 'Microsoft SQL Server', inst.name];
      out.push({ name, root: formatWindowsPath(drive.drive, segs), binn: [...segs, 'MSSQL', 'Binn'] });
    }
  }
  return out;
}

/** Builds the plan. Never throws for bad input: problems become item errors and log lines. */
export async function planCollection(view: FsView, layout: SourceLayout, opts: PlanOptions): Promise<CollectionPlan> {
  const targets = [...(opts.extraTargets ?? []), ...allTargets(opts.sweep)];
  const found: FoundFile[] = [];
  const skipped: WalkSkip[] = [];
  for (const drive of layout.drives) {
    for await (const f of walkDrive(view, drive, targets, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onSkip: (s) => {
        opts.log('warn', `skipped ${s.path}: ${s.reason}`);
        if (s.unreadable || s.budget) skipped.push(s);
      },
    })) {
      found.push(f);
      if (found.length % 500 === 0) opts.progress?.('scanning', found.length, 0);
    }
  }
  const items: PlanItem[] = [];
  const sweepCandidates: FoundFile[] = [];
  for (const f of found) {
    if (f.type === 'symlink' && f.target.action !== 'copy') {
      opts.log('info', `skipped link ${formatWindowsPath(f.drive, f.segments)}: links are not followed by the sweep`);
      continue;
    }
    if (f.type === 'other') {
      // FIFOs, devices, sockets: listed, never opened (a FIFO blocks its reader forever).
      const where = formatWindowsPath(f.drive, f.segments);
      opts.log('warn', `skipped ${where}: not a regular file (FIFO, device or socket)`);
      if (f.target.action !== 'classify') items.push({ ...toItem(f), action: 'error', error: 'not a regular file (FIFO, device or socket): not opened' });
      continue;
    }
    if (f.target.action === 'classify') sweepCandidates.push(f);
    else items.push(toItem(f));
  }

  // Phase one: which DLLs do the logs name? Which host do they describe?
  // One ref per distinct DLL (the first place naming it): a log repeating one name 150,000
  // times must not cost 150,000 lookups.
  const refs: DllRef[] = [];
  const refKeys = new Set<string>();
  const addRef = (r: DllRef): void => {
    const k = r.dll.toLowerCase();
    if (refKeys.has(k)) return;
    refKeys.add(k);
    refs.push(r);
  };
  const hostNames = new Set<string>();
  const logs = items.filter((i) => i.kind === 'evtx' || i.kind === 'errorlog');
  let done = 0;
  for (const it of logs) {
    if (opts.signal?.aborted) break;
    opts.progress?.('reading logs', done++, logs.length);
    const label = it.segments[it.segments.length - 1] ?? it.originalPath;
    if (it.kind === 'errorlog') {
      // A log of ordinary size also goes through the ERRORLOG parser (it maps entries to the
      // event model: 8128/33090/... with their insertion strings); the line patterns, read in
      // chunks, cover logs of any size and entries the parser does not infer.
      const bytes = await readSmall(view, it.fsPath, MAX_ERRORLOG_PARSE_BYTES);
      if (typeof bytes !== 'string') {
        try {
          const parsed = parseErrorlog(bytes);
          for (const e of parsed.entries) {
            for (const r of dllRefsFromEvent(e.event, it.originalPath)) addRef({ dll: r.dll, reason: `${it.originalPath} line ${e.line}` });
          }
          if (parsed.computer) hostNames.add(parsed.computer);
        } catch (e) {
          opts.log('warn', `parsing ${it.originalPath} failed: ${(e as Error).message}`);
        }
      }
      const opened = await view.open(it.fsPath);
      if (!opened.ok) continue; // reported when collected
      try {
        const scan = await scanErrorlog(opened.value, it.originalPath, opts.signal);
        for (const r of scan.refs) addRef(r);
        if (scan.serverName) hostNames.add(scan.serverName);
      } catch (e) {
        opts.log('warn', `reading ${it.originalPath} for DLL names failed: ${(e as Error).message}`);
      } finally {
        await opened.value.close().catch(() => undefined);
      }
      continue;
    }
    // Only these channels name ESP DLLs (8128/33090/8131/17750 in Application, 7 in Sysmon);
    // parsing Security (often GBs) here would only slow the collection down.
    if (!opts.readEvents || !DLL_NAMING_LOGS.test(label)) continue;
    const opened = await view.open(it.fsPath);
    if (!opened.ok) continue; // reported when collected
    try {
      const file = opened.value;
      for await (const ev of opts.readEvents({ size: file.size, read: (o, n) => file.read(o, n) })) {
        if (opts.signal?.aborted) break;
        const s = summarizeEvent(ev);
        if (s.computer && /^Application\.evtx$/i.test(label)) hostNames.add(s.computer.split('.')[0] ?? s.computer);
        for (const r of dllRefsFromEvent(ev, label)) addRef(r);
      }
    } catch (e) {
      opts.log('warn', `reading events from ${it.originalPath} for DLL names failed: ${(e as Error).message}`);
    } finally {
      await opened.value.close().catch(() => undefined);
    }
  }
  for (const x of opts.sqlExports ?? []) for (const r of dllRefsFromSqlExport(x.text, x.label)) addRef(r);
  if (refs.length > 0) opts.log('info', `the evidence names ${refs.length} distinct DLL(s)`);
  if (!opts.readEvents && logs.some((l) => l.kind === 'evtx')) {
    opts.log('warn', 'EVTX parser not available in this build: DLLs named only by event logs are not fetched');
  }

  // Resolve named DLLs: full paths directly; bare names against every instance's Binn.
  const instances = (await Promise.all(layout.drives.map(async (d) => ({ d, roots: await instanceRoots(view, d) })))).flatMap(
    ({ d, roots }) => roots.map((r) => ({ ...r, drive: d })),
  );
  const byKey = new Map(items.map((i) => [windowsPathKey(i.originalPath), i] as const));
  const seenRef = new Set<string>();
  let missingCount = 0;
  // Thousands of names resolve through the same few folders: list each folder once.
  const listed = new Map<string, ReturnType<FsView['readDir']>>();
  const resolveView: FsView = {
    ...view,
    readDir: (p) => {
      const k = p.join('\0');
      let r = listed.get(k);
      if (!r) listed.set(k, (r = view.readDir(p)));
      return r;
    },
  };
  for (const ref of refs) {
    if (opts.signal?.aborted) break;
    const w = parseWindowsPath(ref.dll);
    const candidates: { drive: DriveRoot; segments: string[] }[] = [];
    if (w) {
      const d = layout.drives.find((x) => x.drive === w.drive);
      if (d) candidates.push({ drive: d, segments: w.segments });
    } else if (!/[\\/]/.test(ref.dll)) {
      for (const inst of instances) candidates.push({ drive: inst.drive, segments: [...inst.binn, ref.dll] });
    }
    let resolved = false;
    let unreadable: string | undefined;
    for (const c of candidates) {
      const fsPath = await resolveSegments(resolveView, c.drive, c.segments, (why) => (unreadable ??= why));
      if (!fsPath) continue;
      const original = formatWindowsPath(c.drive.drive, c.segments);
      const key = windowsPathKey(original);
      resolved = true;
      if (seenRef.has(key)) break;
      seenRef.add(key);
      const existing = byKey.get(key);
      const reason = `named by ${ref.reason}`;
      if (existing) {
        existing.action = 'copy';
        existing.reason = `${existing.reason}; ${reason}`;
      } else {
        const it: PlanItem = {
          originalPath: original,
          storedPath: storedPathFor(c.drive.drive, c.segments),
          drive: c.drive.drive,
          segments: c.segments,
          fsPath,
          kind: 'dll',
          target: 'DLL named by the logs',
          action: 'copy',
          reason,
        };
        items.push(it);
        byKey.set(key, it);
      }
      break;
    }
    const missKey = `missing:${ref.dll.toLowerCase()}`;
    if (!resolved && !seenRef.has(missKey)) {
      seenRef.add(missKey);
      const error = unreadable ? `a folder on its path cannot be read (${unreadable}): not known whether it is there` : NOT_IN_SOURCE;
      if (++missingCount <= MAX_MISSING_WARNINGS) opts.log('warn', `DLL named by ${ref.reason}: ${ref.dll}: ${error}`);
      const origin = w ? formatWindowsPath(w.drive, w.segments) : ref.dll;
      items.push({
        originalPath: origin,
        storedPath: '',
        drive: w?.drive ?? '',
        segments: w?.segments ?? [ref.dll],
        fsPath: [],
        kind: 'dll',
        target: 'DLL named by the logs',
        action: 'missing',
        reason: `named by ${ref.reason}`,
        error,
      });
    }
  }
  if (missingCount > MAX_MISSING_WARNINGS) opts.log('warn', `... and ${missingCount - MAX_MISSING_WARNINGS} more DLL(s) named by the evidence that could not be found (each has its manifest row)`);
  for (const it of items) if (it.target === 'SQL Server Binn DLL' && opts.copyBinn) it.action = 'copy';

  if (opts.beforeSweep) await opts.beforeSweep([...items]);

  // Sweep: PE files that classify as ESP or hit YARA.
  const sweepPe = await sweepCandidatesInto(view, sweepCandidates, { items, byKey, skipped }, opts);
  return {
    items,
    hostNames: [...hostNames],
    instances: instances.map((i) => ({ name: i.name, root: i.root })),
    sweepSeen: sweepCandidates.length,
    sweepPe,
    skipped,
  };
}
