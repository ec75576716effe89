/**
 * `collect`: source → plan → bundle (plan, then do the I/O). Streams every planned file into the zip once,
 * hashing on the way; adds SQL exports, sysinfo.json, collection.log, the caller's extra
 * entries (analysis.json, the report) and manifest.json last; then renames the `.partial`
 * zip and writes the `.sha256` sidecar. One unreadable file is a manifest row with its error;
 * an interrupted or failed run finishes a zip whose manifest says `incomplete` and keeps
 * `.partial`: what was gathered is never deleted.
 */
import { basename, resolve } from 'node:path';
import { readHostFacts, type EvidenceSet } from '../detection/evidence.js';
import type { EventReader, FileClassifier } from './classify.js';
import { BundleWriteError, BundleWriter } from './bundle-writer.js';
import { createCollectionLog, type LogLevel } from './collection-log.js';
import type { FsView } from './fs-view.js';
import { sha256Hex } from './hashing.js';
import { NOT_IN_SOURCE, planCollection, type PlanItem } from './plan.js';
import { multiDriveView, type LiveHost } from './live-host.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestEntry, type ManifestFile } from './manifest.js';
import { fsFileSource, listedEvidenceSet, type ListedArtefact } from './memory-evidence.js';
import type { SourceLayout } from './source-layout.js';
import { openSource } from './source.js';
import { instanceTargets, type SweepMode, type Target } from './targets/index.js';
import { parseWindowsPath } from './win-path.js';
import { bufferFile } from './fs-memory.js';
import { copyPlanItem, type CopyContext } from './collect-files.js';
import { readSqlExports, runLiveSql, storeSqlExports, type SqlContext } from './collect-sql.js';

export { MAX_SQL_EXPORT_BYTES, MAX_SQL_TEXT_BYTES, MAX_SQL_TEXT_TOTAL_BYTES } from './collect-sql.js';

/** The collection stopped on an unexpected error; what was gathered is kept in `partialPath`. */
export class CollectionFailedError extends Error {
  override readonly name = 'CollectionFailedError';
  readonly partialPath: string;
  constructor(message: string, partialPath: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.partialPath = partialPath;
  }
}

export interface ExtraEntry {
  name: string;
  data: Uint8Array | string;
}

export interface CollectOptions {
  /** Folder or Velociraptor zip; undefined = the live host (`live` must be given). */
  source?: string;
  sqlExport?: string;
  outDir: string;
  sweep: SweepMode;
  copyBinn: boolean;
  noSql: boolean;
  /** Files larger than this are listed with an error, not collected. */
  maxFileSize: number;
  password?: Buffer;
  /** Seal the bundle for these age recipients (`age1...`): written as `<name>.zip.age`. */
  recipients?: readonly string[];
  /** zlib level 0..9 (default 6). */
  level?: number;
  signal: AbortSignal;
  now(): Date;
  espyVersion: string;
  /** Options recorded in the manifest (never a password). */
  recordedOptions: Record<string, unknown>;
  log?(level: LogLevel, msg: string): void;
  /** `unit: 'bytes'` when done/total are bytes (copying files), else counts. */
  progress?(phase: string, done: number, total: number, unit?: 'bytes'): void;
  /** The machine running espy. */
  localHost: { hostname: string; platform: string; user?: string };
  classify?: FileClassifier;
  readEvents?: EventReader;
  live?: LiveHost;
  /** espy's own executable (default `process.execPath`): never swept on a live host. */
  selfPath?: string;
  /** Wraps the source's view (tests inject failures: EACCES cannot be produced as root). */
  wrapView?(view: FsView): FsView;
  /** Runs after the files are in (analysis, report); its entries go into the bundle. */
  afterCollect?(evidence: EvidenceSet): Promise<ExtraEntry[]>;
}

export interface CollectResult {
  bundlePath: string;
  sha256: string;
  manifestSha256: string;
  host: string;
  incomplete: boolean;
  incompleteReason?: string;
  /** Files stored, bytes stored, rows with errors. */
  files: number;
  bytes: number;
  errors: number;
  manifest: Manifest;
}

/** `20240102T030405Z` */
export function utcStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A host name safe in a file name. */
export function safeHostName(s: string): string {
  const t = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 63);
  return t || 'UNKNOWN';
}

interface Opened {
  view: FsView;
  layout: SourceLayout;
  kind: Manifest['source']['kind'];
  path: string;
  close(): Promise<void>;
}

async function openInput(opts: CollectOptions): Promise<Opened> {
  if (opts.source !== undefined) {
    const s = await openSource(opts.source);
    return { view: opts.wrapView ? opts.wrapView(s.view) : s.view, layout: s.layout, kind: s.layout.kind, path: s.path, close: s.close };
  }
  if (!opts.live) throw new Error('no --source given and no live host access on this platform: give --source DIR');
  const drives = await opts.live.drives();
  const letters = Object.keys(drives).sort();
  return {
    view: opts.wrapView ? opts.wrapView(multiDriveView(drives)) : multiDriveView(drives),
    layout: { kind: 'kape', drives: letters.map((d) => ({ drive: d, base: [d], encoded: false })), notes: [] },
    kind: 'live',
    path: letters.map((d) => `${d}:\\`).join(' '),
    close: () => Promise.resolve(),
  };
}

export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const log = createCollectionLog(opts.now, opts.log);
  const startedAt = opts.now();
  const input = await openInput(opts);
  const files: ManifestFile[] = [];
  const entries: ManifestEntry[] = [];
  const listed: ListedArtefact[] = [];
  let incompleteReason: string | undefined;
  let writer: BundleWriter | undefined;
  let host: string | undefined;
  const writeManifest = async (hostName: string): Promise<{ text: string; manifest: Manifest }> => {
    const w = writer as BundleWriter;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      espyVersion: opts.espyVersion,
      host: hostName,
      source: { kind: input.kind, path: input.path },
      collectedBy: opts.localHost,
      startedAt: startedAt.toISOString(),
      finishedAt: opts.now().toISOString(),
      incomplete: incompleteReason !== undefined,
      ...(incompleteReason ? { incompleteReason } : {}),
      encrypted: Boolean(opts.password),
      options: opts.recordedOptions,
      files,
      entries,
    };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    await w.addBytes('manifest.json', text);
    return { text, manifest };
  };
  try {
    log.write('info', `espy ${opts.espyVersion} collect: source ${input.kind} ${input.path}`);
    for (const n of input.layout.notes) log.write('warn', n);
    const guessHost = opts.live?.hostname ?? basename(input.path);
    writer = await BundleWriter.create({
      outDir: opts.outDir,
      name: `espy-${safeHostName(guessHost)}-${utcStamp(startedAt)}`,
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.recipients ? { recipients: opts.recipients } : {}),
      ...(opts.level === undefined ? {} : { level: opts.level }),
    });
    log.write('info', `writing ${writer.partialPath}`);

    // SQL exports are small: read them first for the DLL names they list.
    const sqlDir = opts.sqlExport ? resolve(opts.sqlExport) : undefined;
    const sqlIn = sqlDir ? await readSqlExports(sqlDir, (l, m) => log.write(l, m)) : undefined;

    // Live host: instance folders from the registry (an instance outside Program Files).
    const extraTargets: Target[] = [];
    if (opts.live?.sqlInstanceDirs) {
      const dirs = await opts.live.sqlInstanceDirs().catch((e: Error) => {
        log.write('warn', `reading SQL Server folders from the registry failed: ${e.message}`);
        return [];
      });
      for (const d of dirs) {
        // The drive letter is kept: `-eD:\SQLLOGS\ERRORLOG` is read on D: only.
        const logW = d.logDir ? parseWindowsPath(d.logDir) : undefined;
        const binn = d.binnDir ? parseWindowsPath(d.binnDir) : undefined;
        extraTargets.push(
          ...instanceTargets(d.instance, {
            ...(logW ? { logDir: logW.segments.join('\\'), logDrive: logW.drive } : {}),
            ...(binn ? { binnDir: binn.segments.join('\\'), binnDrive: binn.drive } : {}),
          }),
        );
        log.write('info', `SQL Server instance ${d.instance} (registry): log ${d.logDir ?? '?'}, Binn ${d.binnDir ?? '?'}`);
      }
    }

    // On a live host espy's executable and its --out folder are on the swept drives.
    const sweepExclude = opts.live ? [opts.selfPath ?? process.execPath, resolve(opts.outDir)].filter((p) => parseWindowsPath(p) !== undefined) : [];
    const copy: CopyContext = {
      view: input.view,
      writer,
      maxFileSize: opts.maxFileSize,
      signal: opts.signal,
      ...(opts.live ? { live: opts.live } : {}),
      ...(opts.classify ? { classify: opts.classify } : {}),
      log: (l, m) => log.write(l, m),
      files,
      listed,
    };
    // Phase two: the files. Progress counts bytes, as they stream: one 1 GiB Security.evtx
    // among ten small files is most of the work, not a tenth of it.
    const copied = new Set<PlanItem>();
    const copyBatch = async (batch: readonly PlanItem[], phase: string): Promise<void> => {
      const sizes: number[] = [];
      for (const it of batch) {
        if (opts.signal.aborted) break;
        sizes.push(it.action === 'missing' ? 0 : await input.view.lstat(it.fsPath).then((s) => (s.ok ? s.value.size : 0), () => 0));
      }
      const totalBytes = sizes.reduce((n, s) => n + s, 0);
      let doneBytes = 0;
      for (const [index, it] of batch.entries()) {
        if (opts.signal.aborted) {
          incompleteReason = 'interrupted';
          break;
        }
        if (index > 0) doneBytes += sizes[index - 1] ?? 0;
        opts.progress?.(phase, doneBytes, totalBytes, 'bytes');
        if (opts.progress) {
          const report = opts.progress;
          const base = doneBytes;
          copy.onBytes = (streamed) => report(phase, base + Math.min(streamed, sizes[index] ?? streamed), totalBytes, 'bytes');
        }
        copied.add(it);
        await copyPlanItem(copy, it);
      }
    };

    const plan = await planCollection(input.view, input.layout, {
      extraTargets,
      sweepExclude,
      sqlExports: sqlIn?.texts ?? [],
      sweep: opts.sweep,
      copyBinn: opts.copyBinn,
      maxFileSize: opts.maxFileSize,
      signal: opts.signal,
      ...(opts.classify ? { classify: opts.classify } : {}),
      ...(opts.readEvents ? { readEvents: opts.readEvents } : {}),
      log: (l, m) => log.write(l, m),
      ...(opts.progress ? { progress: opts.progress } : {}),
      // Logs and the DLLs they name are in the bundle before the sweep starts: a sweep cut
      // short (Ctrl-C, a hostile folder) never costs them.
      beforeSweep: (items) => copyBatch(items, 'collecting files'),
    });
    log.write('info', `plan: ${plan.items.length} files; ${plan.instances.length} SQL Server instance(s); sweep looked at ${plan.sweepSeen} files, ${plan.sweepPe} PE`);
    host = opts.live?.hostname ?? plan.hostNames[0] ?? guessHost;
    const hostName = host;
    // What the walk could not see is listed too: an unreadable folder is not an empty one.
    for (const k of plan.skipped) {
      files.push({ originalPath: k.path, kind: 'other', method: 'copy', size: 0, reason: k.budget ? 'walk budget' : 'folder walk', error: k.budget ? `walk stopped: ${k.reason}` : `folder unreadable: ${k.reason}` });
    }
    const sweepHits = plan.items.filter((it) => !copied.has(it));
    if (sweepHits.length > 0) await copyBatch(sweepHits, 'collecting sweep hits');

    // SQL: exports given by the analyst, or the triage SQL run live.
    const sqlCtx: SqlContext = { writer, files, listed, signal: opts.signal, log: (l, m) => log.write(l, m) };
    if (!incompleteReason && sqlDir && sqlIn) await storeSqlExports(sqlCtx, sqlDir, sqlIn);
    if (!incompleteReason && opts.live && !opts.noSql && !opts.sqlExport) await runLiveSql(sqlCtx, opts.live);

    // sysinfo.json: the suspect host (live: the snapshot) and who collected.
    const sysinfo: Record<string, unknown> = opts.live
      ? { hostname: opts.live.hostname, ...(await opts.live.snapshot().catch((e: Error) => ({ snapshotError: e.message }))), collectedBy: opts.localHost }
      : {
          hostname: hostName,
          hostSource: plan.hostNames.length > 0 ? 'named by the evidence (event Computer / ERRORLOG server name)' : 'source folder name (the evidence names no host)',
          hostNamesSeen: plan.hostNames,
          sqlInstances: plan.instances,
          collectedBy: opts.localHost,
          note: 'image or collection source: collectedBy is the analyst machine, not the suspect host',
        };
    const sysText = `${JSON.stringify(sysinfo, null, 2)}\n`;
    entries.push(await entry(writer, 'sysinfo.json', sysText));
    listed.push({ artefact: { originalPath: 'sysinfo.json', storedPath: 'sysinfo.json', kind: 'sysinfo', size: Buffer.byteLength(sysText) }, open: () => Promise.resolve(fsFileSource(bufferFile(Buffer.from(sysText)))) });

    const errors = files.filter((f) => f.error).length;
    log.write('info', `collected ${files.filter((f) => f.storedPath).length} files; ${errors} with errors`);

    if (!incompleteReason && opts.afterCollect) {
      // A named DLL that is not there is evidence (deleted?), not a gap in the collection.
      const gaps = files.filter((f) => f.error !== undefined && f.error !== NOT_IN_SOURCE).map((f) => ({ path: f.originalPath, reason: f.error ?? '' }));
      const evidence = listedEvidenceSet(opts.live ? 'live' : 'folder', input.path, listed, () => Promise.resolve(readHostFacts(sysinfo)), gaps);
      try {
        for (const x of await opts.afterCollect(evidence)) entries.push(await entry(writer, x.name, x.data));
      } catch (e) {
        if (writer.error) throw e;
        log.write('error', `analysis failed: ${(e as Error).message}`);
      }
    }
    if (opts.signal.aborted) incompleteReason ??= 'interrupted';
    if (incompleteReason) log.write('warn', `bundle is INCOMPLETE: ${incompleteReason}`);
    entries.unshift(await entry(writer, 'collection.log', log.text()));

    const { text: manifestText, manifest } = await writeManifest(hostName);
    const finalName = `espy-${safeHostName(hostName)}-${utcStamp(startedAt)}.zip`;
    const done2 = await writer.finish(finalName, incompleteReason !== undefined);
    writer = undefined;
    const stored = files.filter((f) => f.storedPath);
    return {
      bundlePath: done2.path,
      sha256: done2.sha256,
      manifestSha256: sha256Hex(manifestText),
      host: hostName,
      incomplete: incompleteReason !== undefined,
      ...(incompleteReason ? { incompleteReason } : {}),
      files: stored.length,
      bytes: stored.reduce((n, f) => n + f.size, 0),
      errors,
      manifest,
    };
  } catch (e) {
    // Never lose what was gathered: the zip is finished as far as it can be, keeps its
    // `.partial` name and its manifest says why it is incomplete.
    if (!writer) throw e;
    const w = writer;
    const msg = (e as Error).message;
    if (w.error) {
      await w.stop();
      const err = new BundleWriteError(`${msg}: the partial bundle ${w.partialPath} is kept, incomplete (its zip is cut where writing stopped)`, { cause: e });
      err.partialPath = w.partialPath;
      throw err;
    }
    incompleteReason = `collection failed: ${msg}`;
    log.write('error', `bundle is INCOMPLETE: ${incompleteReason}`);
    const kept = await (async () => {
      entries.unshift(await entry(w, 'collection.log', log.text()));
      await writeManifest(host ?? opts.live?.hostname ?? basename(input.path));
      return (await w.finish('', true)).path;
    })().catch(async () => {
      await w.stop();
      return w.partialPath;
    });
    throw new CollectionFailedError(`${msg} (the partial bundle is kept, marked incomplete: ${kept})`, kept, { cause: e });
  } finally {
    await input.close();
    await opts.live?.cleanup().catch(() => undefined);
  }
}

async function entry(writer: BundleWriter, name: string, data: Uint8Array | string): Promise<ManifestEntry> {
  const r = await writer.addBytes(name, data);
  return { name, size: r.size, sha256: r.sha256 };
}
