/**
 * Phase two of a collection: each planned file into the bundle. One file's failure (vanished
 * between walk and copy, unreadable, a locked log whose export wrote nothing, a read or hash
 * error half-way) becomes that file's manifest row with its error and a log line; only a
 * failure of the bundle itself (full disk) stops the run.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { EvidenceArtefact } from '../../detection/evidence.js';
import type { FileClassifier } from '../classify.js';
import type { BundleWriter } from '../bundle-writer.js';
import type { LogLevel } from '../collection-log.js';
import { nodeFsView, type FsFile, type FsView } from '../fs-view.js';
import { digestsOf } from '../hashing.js';
import { channelFromLogFile, type LiveHost } from '../live-host.js';
import type { ManifestFile } from '../manifest.js';
import { openFromView, type ListedArtefact } from '../memory-evidence.js';
import { MAX_SWEEP_FILE_BYTES, type PlanItem } from '../plan/index.js';
import type { StreamedLogs } from './streamed.js';

/** An exported event log smaller than this holds no EVTX file header (4 KiB): not a log. */
export const MIN_EVTX_EXPORT_BYTES = 4096;

export interface CopyContext {
  view: FsView;
  writer: BundleWriter;
  maxFileSize: number;
  signal: AbortSignal;
  live?: LiveHost;
  classify?: FileClassifier;
  log(level: LogLevel, msg: string): void;
  /** Bytes streamed so far for this file (progress). */
  onBytes?(streamed: number): void;
  files: ManifestFile[];
  listed: ListedArtefact[];
  /** Logs a parser reads while they are copied (each file is read from the host once). */
  streamed?: StreamedLogs;
}

export function planRow(it: PlanItem, extra: Partial<ManifestFile>): ManifestFile {
  const r: ManifestFile = { originalPath: it.originalPath, kind: it.kind, target: it.target, method: 'copy', size: 0, reason: it.reason, ...extra };
  if (it.classification) r.classification = { ...it.classification, kept: true };
  return r;
}

interface Exported {
  file?: FsFile;
  path?: string;
  error?: string;
}

/** `wevtutil epl` of a locked log; an export that exits 0 but writes nothing (or a stub) is a failure. */
async function exportLocked(ctx: CopyContext, it: PlanItem, code: string): Promise<Exported> {
  const live = ctx.live;
  if (!live) return {};
  ctx.log('info', `${it.originalPath} is locked (${code}): exporting with wevtutil epl ${channelFromLogFile(it.segments[it.segments.length - 1] ?? '')}`);
  const ex = await live.exportEventLog(it.originalPath).catch((e: Error) => ({ ok: false, file: undefined, message: e.message }));
  if (!ex.ok || !ex.file) return { error: `wevtutil export failed: ${ex.message}` };
  const p = ex.file;
  const st = await stat(p).catch((e: Error) => e);
  if (st instanceof Error) return { error: `wevtutil reported success but wrote no file (${st.message})` };
  if (!st.isFile()) return { error: 'wevtutil reported success but its output is not a regular file' };
  if (st.size === 0) return { error: 'wevtutil reported success but wrote an empty file' };
  const opened = await (await nodeFsView(dirname(p))).open([basename(p)]);
  if (!opened.ok) return { error: `the wevtutil export cannot be read: ${opened.message}` };
  return { file: opened.value, path: p };
}

/** Collects one planned file; never throws except for a failure of the bundle writer. */
export async function copyPlanItem(ctx: CopyContext, it: PlanItem): Promise<void> {
  const rows = ctx.files.length;
  try {
    await copyOne(ctx, it);
  } catch (e) {
    if (ctx.writer.error) throw ctx.writer.error;
    const msg = (e as Error).message;
    ctx.log('warn', `cannot collect ${it.originalPath}: ${msg}`);
    ctx.files.push(planRow(it, { error: msg }));
  } finally {
    ctx.streamed?.settle(it.originalPath, ctx.files.slice(rows).find((r) => r.error)?.error ?? 'not collected');
  }
}

/** The file's bytes, through the parser's tee when a parser waits for this file. */
function readStream(ctx: CopyContext, it: PlanItem, f: FsFile): Readable {
  const stream = f.stream();
  const tee = ctx.streamed?.attach(it.originalPath, f.size);
  if (!tee) return stream;
  stream.on('error', (e: Error) => {
    tee.fail(e);
    tee.transform.destroy(e);
  });
  return stream.pipe(tee.transform);
}

/** The file's times (MACB) for its manifest row, when the source gives them. */
type Times = Partial<Pick<ManifestFile, 'created' | 'modified' | 'accessed' | 'changed'>>;

async function copyOne(ctx: CopyContext, it: PlanItem): Promise<void> {
  const { files, log } = ctx;
  if (it.action === 'missing' || it.action === 'skip') {
    if (it.action === 'skip') log('warn', `skipped ${it.originalPath}: ${it.error ?? 'not collected'}`);
    files.push(planRow(it, { error: it.error ?? 'not present in the source' }));
    return;
  }
  const st = await ctx.view.lstat(it.fsPath);
  const times = st.ok ? { created: st.value.created, modified: st.value.modified, accessed: st.value.accessed, changed: st.value.changed } : {};
  const macb = Object.fromEntries(Object.entries(times).filter(([, v]) => v !== undefined)) as Times;
  if (st.ok && (st.value.type === 'other' || st.value.type === 'dir')) {
    const msg = `not a regular file (${st.value.type === 'other' ? 'FIFO, device or socket' : st.value.type}): not opened`;
    log('warn', `skipped ${it.originalPath}: ${msg}`);
    files.push(planRow(it, { ...macb, error: msg }));
    return;
  }
  if (st.ok && st.value.size > ctx.maxFileSize) {
    log('warn', `skipped ${it.originalPath}: ${st.value.size} bytes is over --max-file-size ${ctx.maxFileSize}`);
    files.push(planRow(it, { ...macb, size: st.value.size, error: `larger than --max-file-size (${ctx.maxFileSize} bytes): not collected` }));
    return;
  }
  const opened = await openForCopy(ctx, it, macb, st.ok ? st.value.size : 0);
  if (!opened) return;
  try {
    const classification = await classifyDll(ctx, it, opened.file, opened.method);
    if (opened.method === 'hash') await hashOnly(ctx, it, opened.file, { ...macb, ...classification });
    else await streamIntoBundle(ctx, it, opened, { ...macb, ...classification });
  } finally {
    await opened.file.close().catch(() => undefined);
  }
}

interface Opened {
  file: FsFile;
  method: ManifestFile['method'];
  /** The wevtutil export read instead of a locked log. */
  exportPath?: string;
  note?: string;
}

/** Opens the file; a locked event log on a live host is exported with wevtutil instead. Undefined: its row is written. */
async function openForCopy(ctx: CopyContext, it: PlanItem, macb: Times, size: number): Promise<Opened | undefined> {
  const opened = await ctx.view.open(it.fsPath);
  const method: ManifestFile['method'] = it.action === 'hash' ? 'hash' : 'copy';
  if (opened.ok) return { file: opened.value, method };
  if (ctx.live && it.kind === 'evtx' && ['EBUSY', 'EPERM', 'EACCES'].includes(opened.code)) {
    const ex = await exportLocked(ctx, it, opened.code);
    if (ex.file) {
      const note = ex.file.size < MIN_EVTX_EXPORT_BYTES ? `the export is truncated: ${ex.file.size} bytes, smaller than an EVTX file header` : undefined;
      return { file: ex.file, method: 'export', ...(ex.path ? { exportPath: ex.path } : {}), ...(note ? { note } : {}) };
    }
    if (ex.error) {
      ctx.log('warn', `${it.originalPath}: ${ex.error}`);
      ctx.files.push(planRow(it, { ...macb, size, method: 'export', error: `${opened.message}; ${ex.error}` }));
      return undefined;
    }
  }
  ctx.log('warn', `cannot read ${it.originalPath}: ${opened.message}`);
  ctx.files.push(planRow(it, { ...macb, size, error: opened.message }));
  return undefined;
}

/** DLLs (Binn, named by the logs) are classified too: the manifest says what each is. */
async function classifyDll(ctx: CopyContext, it: PlanItem, f: FsFile, method: ManifestFile['method']): Promise<Partial<ManifestFile>> {
  if (it.kind !== 'dll' || it.classification || !ctx.classify || f.size > MAX_SWEEP_FILE_BYTES) return {};
  try {
    const c = await ctx.classify(await f.read(0, f.size), it.originalPath);
    return { classification: { ...c, kept: method !== 'hash' } };
  } catch (e) {
    ctx.log('warn', `classifying ${it.originalPath} failed: ${(e as Error).message}`);
    return {};
  }
}

/** A Binn DLL without --copy-binn: its hashes in the manifest, not its bytes in the bundle. */
async function hashOnly(ctx: CopyContext, it: PlanItem, f: FsFile, extra: Partial<ManifestFile>): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await f.read(0, f.size);
  } catch (e) {
    const msg = `hashing failed: ${(e as Error).message}`;
    ctx.log('warn', `${it.originalPath}: ${msg}`);
    ctx.files.push(planRow(it, { ...extra, method: 'hash', size: f.size, error: msg }));
    return;
  }
  const d = digestsOf(bytes);
  ctx.files.push(planRow(it, { ...extra, method: 'hash', size: d.size, sha256: d.sha256, sha1: d.sha1, md5: d.md5 }));
}

/** Streams the file into its bundle entry (hash and deflate on the way, a parser reading along when one waits for it). */
async function streamIntoBundle(ctx: CopyContext, it: PlanItem, o: Opened, extra: Partial<ManifestFile>): Promise<void> {
  const f = o.file;
  const mdate = extra.modified ? new Date(extra.modified) : undefined;
  // Ctrl-C during a long file ends its entry at once (the row says so; the bundle is marked incomplete).
  const stream = readStream(ctx, it, f);
  if (ctx.onBytes) {
    const report = ctx.onBytes;
    let streamed = 0;
    // Attached in the same tick as the writer's pipe: both see every chunk.
    stream.on('data', (chunk: Buffer) => report((streamed += chunk.length)));
  }
  const onAbort = (): void => void stream.destroy(new Error('interrupted'));
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let r;
  try {
    r = await ctx.writer.addStream(it.storedPath, stream, mdate, f.size);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  const row = planRow(it, { ...extra, method: o.method, storedPath: it.storedPath, size: r.size, sha256: r.sha256, sha1: r.sha1, md5: r.md5 });
  if (r.readError) row.error = `read failed after ${r.size} bytes (stored bytes are partial): ${r.readError}`;
  else if (o.note) row.error = o.note;
  if (row.error) ctx.log('warn', `${it.originalPath}: ${row.error}`);
  ctx.files.push(row);
  const artefact: EvidenceArtefact = { originalPath: it.originalPath, storedPath: it.storedPath, kind: it.kind, size: r.size, sha256: r.sha256 };
  if (extra.created) artefact.created = extra.created;
  if (extra.modified) artefact.modified = extra.modified;
  const ep = o.exportPath;
  const fsPath = it.fsPath;
  const view = ctx.view;
  // An exported log (often GBs for Security) is read through a file handle, not into memory.
  ctx.listed.push({ artefact, open: ep ? async () => openFromView(await nodeFsView(dirname(ep)), [basename(ep)]) : () => openFromView(view, fsPath) });
}
