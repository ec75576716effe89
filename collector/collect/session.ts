/**
 * One collection, as the steps a responder would take: open the source and the bundle, take
 * the SQL Server's own lists, plan the files, copy them (a parser may read the logs as they
 * pass), sweep for DLLs, add what the analysis made, finish the bundle. Each step is a method
 * the caller runs in that order; nothing calls back. Whatever happens, what was gathered is
 * kept: `fail` finishes the bundle as far as it can, marked incomplete.
 */
import { basename, resolve } from 'node:path';
import { readHostFacts, type EvidenceSet } from '../../detection/evidence.js';
import { chooseHostName } from '../../detection/mssql/index.js';
import { BundleWriteError, BundleWriter } from '../bundle-writer.js';
import { createCollectionLog, type CollectionLog, type LogLevel } from '../collection-log.js';
import { bufferFile } from '../fs-memory.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestEntry, type ManifestFile } from '../manifest.js';
import { fsFileSource, listedEvidenceSet, type ListedArtefact } from '../memory-evidence.js';
import { NOT_IN_SOURCE, planFiles, sweepPlan, type CollectionPlan, type PlanItem, type PlanOptions } from '../plan/index.js';
import { sha256Hex } from '../hashing.js';
import { copyPlanItem, type CopyContext } from './copy.js';
import { hostFacts, openInput, planOptionsOf, registryTargets, type CollectInput } from './input.js';
import { CollectionFailedError, safeHostName, utcStamp, type CollectOptions, type CollectResult } from './options.js';
import { readSqlExports, runLiveSql, storeSqlExports, type SqlContext } from './sql.js';
import { StreamedLogs } from './streamed.js';

export class CollectSession {
  private readonly files: ManifestFile[] = [];
  private readonly entries: ManifestEntry[] = [];
  private readonly listed: ListedArtefact[] = [];
  private sqlTexts: { label: string; text: string }[] = [];
  private incompleteReason: string | undefined;
  private sysinfo: Record<string, unknown> = {};
  private streamed: StreamedLogs | undefined;
  /** The host's name: a guess from the source until the evidence names it. */
  host: string;

  private readonly opts: CollectOptions;
  private readonly log: CollectionLog;
  private readonly input: CollectInput;
  private readonly writer: BundleWriter;
  private readonly startedAt: Date;

  private constructor(opts: CollectOptions, log: CollectionLog, input: CollectInput, writer: BundleWriter, startedAt: Date) {
    this.opts = opts;
    this.log = log;
    this.input = input;
    this.writer = writer;
    this.startedAt = startedAt;
    this.host = opts.live?.hostname ?? basename(input.path);
  }

  /** Opens the source and starts `<out>/espy-<host>-<time>.zip.partial`. */
  static async open(opts: CollectOptions): Promise<CollectSession> {
    const log = createCollectionLog(opts.now, opts.log);
    const startedAt = opts.now();
    const input = await openInput(opts);
    try {
      log.write('info', `espy ${opts.espyVersion} collect: source ${input.kind} ${input.path}`);
      for (const n of input.layout.notes) log.write('warn', n);
      const writer = await BundleWriter.create({
        outDir: opts.outDir,
        name: `espy-${safeHostName(opts.live?.hostname ?? basename(input.path))}-${utcStamp(startedAt)}`,
        ...(opts.password ? { password: opts.password } : {}),
        ...(opts.recipients ? { recipients: opts.recipients } : {}),
        ...(opts.level === undefined ? {} : { level: opts.level }),
      });
      log.write('info', `writing ${writer.partialPath}`);
      return new CollectSession(opts, log, input, writer, startedAt);
    } catch (e) {
      await input.close();
      await opts.live?.cleanup().catch(() => undefined);
      throw e;
    }
  }

  /** The bundle's file name as `finish` will give it (`.age` when sealed). */
  get bundleName(): string {
    return `espy-${safeHostName(this.host)}-${utcStamp(this.startedAt)}.zip${this.opts.recipients?.length ? '.age' : ''}`;
  }

  get interrupted(): boolean {
    return this.incompleteReason !== undefined || this.opts.signal.aborted;
  }

  /** A line in collection.log (and on the terminal). */
  note(level: LogLevel, msg: string): void {
    this.log.write(level, msg);
  }

  /** The SQL Server's own lists first: the exports given, or the triage SQL run live. Their DLL names feed the plan. */
  async gatherSql(): Promise<void> {
    const ctx: SqlContext = { writer: this.writer, files: this.files, listed: this.listed, signal: this.opts.signal, log: (l, m) => this.note(l, m) };
    if (this.opts.sqlExport) {
      const dir = resolve(this.opts.sqlExport);
      const exports = await readSqlExports(dir, ctx.log);
      this.sqlTexts = exports.texts;
      await storeSqlExports(ctx, dir, exports);
    } else if (this.opts.live && !this.opts.noSql) {
      this.sqlTexts = await runLiveSql(ctx, this.opts.live);
    }
  }

  private planOptions(extra: Partial<PlanOptions>): PlanOptions {
    return { ...planOptionsOf(this.opts, this.sqlTexts, (l, m) => this.note(l, m)), ...extra };
  }

  /** Walks the source, reads the logs for the DLLs they name, resolves them: what to copy before the sweep. */
  async plan(): Promise<CollectionPlan> {
    const extraTargets = await registryTargets(this.opts.live, (l, m) => this.note(l, m));
    const plan = await planFiles(this.input.view, this.input.layout, this.planOptions({ extraTargets }));
    this.host = chooseHostName({ declared: this.opts.live?.hostname, ...plan.hostClues, location: this.input.path }).name;
    this.note('info', `plan: ${plan.items.length} files; ${plan.instances.length} SQL Server instance(s); ${plan.sweepCandidates.length} sweep candidate(s)`);
    return plan;
  }

  /** sysinfo.json: the suspect host (live: a snapshot) and who collected. */
  async describeHost(plan: CollectionPlan): Promise<void> {
    this.sysinfo = await hostFacts(this.opts, this.host, plan);
    await this.add('sysinfo.json', sysinfoText(this.sysinfo));
  }

  /** The plan's event logs and ERRORLOGs, in copy order, for a parser that reads them while `copy` streams them. */
  streamLogs(plan: CollectionPlan): StreamedLogs {
    const logs = plan.items.filter((it) => (it.kind === 'evtx' || it.kind === 'errorlog') && it.action === 'copy');
    this.streamed = new StreamedLogs(logs.map((it) => ({ originalPath: it.originalPath, storedPath: it.storedPath, kind: it.kind, size: 0 })));
    return this.streamed;
  }

  /** Copies planned files into the bundle. Progress counts bytes as they stream: one 1 GiB Security.evtx is most of the work. */
  async copy(items: readonly PlanItem[], phase: string): Promise<void> {
    const ctx: CopyContext = {
      view: this.input.view,
      writer: this.writer,
      maxFileSize: this.opts.maxFileSize,
      signal: this.opts.signal,
      ...(this.opts.live ? { live: this.opts.live } : {}),
      ...(this.opts.classify ? { classify: this.opts.classify } : {}),
      ...(this.streamed ? { streamed: this.streamed } : {}),
      log: (l, m) => this.note(l, m),
      files: this.files,
      listed: this.listed,
    };
    const sizes: number[] = [];
    for (const it of items)
      sizes.push(
        it.action === 'copy' || it.action === 'hash'
          ? await this.input.view.lstat(it.fsPath).then(
              (s) => (s.ok ? s.value.size : 0),
              () => 0,
            )
          : 0,
      );
    const total = sizes.reduce((n, s) => n + s, 0);
    let done = 0;
    for (const [i, it] of items.entries()) {
      if (this.opts.signal.aborted) {
        this.incompleteReason ??= 'interrupted';
        break;
      }
      const base = done;
      const report = this.opts.progress;
      report?.(phase, base, total, 'bytes');
      if (report) ctx.onBytes = (streamed) => report(phase, base + Math.min(streamed, sizes[i] ?? streamed), total, 'bytes');
      await copyPlanItem(ctx, it);
      done += sizes[i] ?? 0;
    }
  }

  /** The copy of the logs is over: a parser still waiting for one that was not copied is told so. */
  endStreaming(): void {
    this.streamed?.settleAll(this.interrupted ? 'not collected: the collection was interrupted' : 'not collected');
  }

  /** Classifies the sweep candidates and copies the hits; lists what the walk and the sweep could not see. */
  async sweep(plan: CollectionPlan): Promise<void> {
    if (!this.interrupted) {
      const hits = await sweepPlan(this.input.view, plan, this.planOptions({}));
      this.note('info', `sweep looked at ${plan.sweepSeen} files, ${plan.sweepPe} PE; ${hits.length} kept`);
      if (hits.length > 0) await this.copy(hits, 'collecting sweep hits');
    }
    // What the walk could not see is listed too: an unreadable folder is not an empty one.
    for (const k of plan.skipped) {
      this.files.push({
        originalPath: k.path,
        kind: 'other',
        method: 'copy',
        size: 0,
        reason: k.budget ? 'walk budget' : 'folder walk',
        error: k.budget ? `walk stopped: ${k.reason}` : `folder unreadable: ${k.reason}`,
      });
    }
  }

  /** Everything stored so far, for the analysis. A named DLL that is not there is evidence (deleted?), not a gap in the collection. */
  evidence(): EvidenceSet {
    const gaps = this.files.filter((f) => f.error !== undefined && f.error !== NOT_IN_SOURCE).map((f) => ({ path: f.originalPath, reason: f.error ?? '' }));
    const sysText = sysinfoText(this.sysinfo);
    const sysinfo: ListedArtefact = {
      artefact: { originalPath: 'sysinfo.json', storedPath: 'sysinfo.json', kind: 'sysinfo', size: Buffer.byteLength(sysText) },
      open: () => Promise.resolve(fsFileSource(bufferFile(Buffer.from(sysText)))),
    };
    return listedEvidenceSet(this.opts.live ? 'live' : 'folder', this.input.path, [...this.listed, sysinfo], () => Promise.resolve(readHostFacts(this.sysinfo)), gaps);
  }

  /** An entry of espy's own (report, analysis) in the bundle: streamed, never held whole when given as pieces. */
  async add(name: string, data: Uint8Array | string | Iterable<string>): Promise<void> {
    const r = typeof data === 'string' || data instanceof Uint8Array ? await this.writer.addBytes(name, data) : await this.writer.addPieces(name, data);
    this.entries.push({ name, size: r.size, sha256: r.sha256 });
  }

  /** collection.log and manifest.json, then the zip is closed and renamed (kept `.partial` when incomplete). */
  async finish(): Promise<CollectResult> {
    const errors = this.files.filter((f) => f.error).length;
    this.note('info', `collected ${this.files.filter((f) => f.storedPath).length} files; ${errors} with errors`);
    if (this.opts.signal.aborted) this.incompleteReason ??= 'interrupted';
    if (this.incompleteReason) this.note('warn', `bundle is INCOMPLETE: ${this.incompleteReason}`);
    const manifestText = await this.writeLogAndManifest();
    const done = await this.writer.finish(`espy-${safeHostName(this.host)}-${utcStamp(this.startedAt)}.zip`, this.incompleteReason !== undefined);
    const stored = this.files.filter((f) => f.storedPath);
    return {
      bundlePath: done.path,
      sha256: done.sha256,
      manifestSha256: sha256Hex(manifestText.text),
      host: this.host,
      incomplete: this.incompleteReason !== undefined,
      ...(this.incompleteReason ? { incompleteReason: this.incompleteReason } : {}),
      files: stored.length,
      bytes: stored.reduce((n, f) => n + f.size, 0),
      errors,
      manifest: manifestText.manifest,
    };
  }

  private async writeLogAndManifest(): Promise<{ text: string; manifest: Manifest }> {
    const r = await this.writer.addBytes('collection.log', this.log.text());
    this.entries.unshift({ name: 'collection.log', size: r.size, sha256: r.sha256 });
    const o = this.opts;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      espyVersion: o.espyVersion,
      host: this.host,
      source: { kind: this.input.kind, path: this.input.path },
      collectedBy: o.localHost,
      startedAt: this.startedAt.toISOString(),
      finishedAt: o.now().toISOString(),
      incomplete: this.incompleteReason !== undefined,
      ...(this.incompleteReason ? { incompleteReason: this.incompleteReason } : {}),
      encrypted: Boolean(o.password),
      options: o.recordedOptions,
      files: this.files,
      entries: this.entries,
    };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    await this.writer.addBytes('manifest.json', text);
    return { text, manifest };
  }

  /**
   * Never lose what was gathered: after an unexpected error the zip is finished as far as it
   * can be, keeps its `.partial` name and its manifest says why it is incomplete. Returns the
   * error to throw.
   */
  async fail(e: unknown): Promise<Error> {
    const msg = (e as Error).message;
    const w = this.writer;
    if (w.error) {
      await w.stop();
      const err = new BundleWriteError(`${msg}: the partial bundle ${w.partialPath} is kept, incomplete (its zip is cut where writing stopped)`, { cause: e });
      err.partialPath = w.partialPath;
      return err;
    }
    this.incompleteReason = `collection failed: ${msg}`;
    this.note('error', `bundle is INCOMPLETE: ${this.incompleteReason}`);
    const kept = await (async () => {
      await this.writeLogAndManifest();
      return (await w.finish('', true)).path;
    })().catch(async () => {
      await w.stop();
      return w.partialPath;
    });
    return new CollectionFailedError(`${msg} (the partial bundle is kept, marked incomplete: ${kept})`, kept, { cause: e });
  }

  /** Closes the source and removes the live host's temporary exports. */
  async close(): Promise<void> {
    this.streamed?.close();
    await this.input.close();
    await this.opts.live?.cleanup().catch(() => undefined);
  }
}

function sysinfoText(sysinfo: Record<string, unknown>): string {
  return `${JSON.stringify(sysinfo, null, 2)}\n`;
}
