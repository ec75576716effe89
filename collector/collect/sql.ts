/**
 * The SQL part of a collection: exports the analyst gives (`--sql-export`, read first for the
 * DLL names they list, then stored), or espy's triage SQL run live with sqlcmd. sqlcmd not
 * installed is a note saying how to get the same data, not a failure.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BundleWriter } from '../bundle-writer.js';
import type { LogLevel } from '../collection-log.js';
import { decodeText } from '../../parsers/common/text.js';
import { bufferFile } from '../fs-memory.js';
import type { LiveHost, SqlQueryOutput } from '../live-host.js';
import type { ManifestFile } from '../manifest.js';
import { fsFileSource, type ListedArtefact } from '../memory-evidence.js';
import { readPrefix } from '../read-prefix.js';

/** Max size of a SQL export file taken from --sql-export. */
export const MAX_SQL_EXPORT_BYTES = 256 * 1024 * 1024;
/** Of a SQL export, at most this much (its first part) is read for the DLL names it lists. */
export const MAX_SQL_TEXT_BYTES = 16 * 1024 * 1024;
const MAX_SQL_EXPORT_FILES = 1000;
/** All SQL export text read for DLL names, together (1000 files of 16 MiB would not fit in memory). */
export const MAX_SQL_TEXT_TOTAL_BYTES = 128 * 1024 * 1024;

export interface SqlContext {
  writer: BundleWriter;
  files: ManifestFile[];
  listed: ListedArtefact[];
  signal: AbortSignal;
  log(level: LogLevel, msg: string): void;
}

export interface SqlExportsIn {
  paths: string[];
  listError?: string;
  /** Text of the exports read for DLL names. */
  texts: { label: string; text: string }[];
}

async function listSqlExports(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    if (depth > 8 || out.length >= MAX_SQL_EXPORT_FILES) return;
    const ents = await readdir(d, { withFileTypes: true });
    ents.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of ents) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile() && out.length < MAX_SQL_EXPORT_FILES) out.push(p);
    }
  };
  await walk(dir, 0);
  return out;
}

/** Lists the export folder and reads the texts (bounded per file and in all). */
export async function readSqlExports(dir: string, log: SqlContext['log']): Promise<SqlExportsIn> {
  const out: SqlExportsIn = { paths: [], texts: [] };
  try {
    out.paths = await listSqlExports(dir);
  } catch (e) {
    out.listError = (e as Error).message;
  }
  out.texts = await readExportTexts(out.paths, log);
  return out;
}

/**
 * The texts of export files, for the DLL names they list: each up to MAX_SQL_TEXT_BYTES (its
 * first part, in whole lines), all of them up to MAX_SQL_TEXT_TOTAL_BYTES.
 */
export async function readExportTexts(paths: readonly string[], log: SqlContext['log']): Promise<{ label: string; text: string }[]> {
  const texts: { label: string; text: string }[] = [];
  let total = 0;
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st?.isFile()) continue;
    const size = Math.min(st.size, MAX_SQL_TEXT_BYTES);
    if ((total += size) > MAX_SQL_TEXT_TOTAL_BYTES) {
      log('warn', `SQL exports: over ${MAX_SQL_TEXT_TOTAL_BYTES} bytes in all: ${p} and later files are stored but not read for DLL names`);
      break;
    }
    // The analysis follows the first rows of a long export: its first part names their DLLs.
    if (st.size > size) log('warn', `SQL export ${p}: larger than ${MAX_SQL_TEXT_BYTES} bytes: only its first ${MAX_SQL_TEXT_BYTES} bytes are read for DLL names`);
    const cut = size < st.size;
    // A cut is made at an even byte: a UTF-16 text keeps whole code units.
    const text = await readPrefix(p, cut ? size - (size % 2) : size).then(
      (b) => wholeLines(decodeText(b, { invalidUtf8: 'windows-1252' }).text, cut),
      () => undefined,
    );
    if (text !== undefined) texts.push({ label: p, text });
  }
  return texts;
}

/** A text cut at a byte count ends at its last line break: no half line (or half character) is read as a name. */
function wholeLines(text: string, cut: boolean): string {
  return cut ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
}

/** Stores every export file; one that fails is its row, a failure of the bundle stops the run. */
export async function storeSqlExports(ctx: SqlContext, dir: string, input: SqlExportsIn): Promise<void> {
  const { files, listed, writer, log } = ctx;
  if (input.listError) {
    log('error', `cannot read --sql-export ${dir}: ${input.listError}`);
    files.push({ originalPath: dir, kind: 'sql-export', method: 'export', size: 0, error: input.listError });
  }
  for (const p of input.paths) {
    if (ctx.signal.aborted) break;
    const rel = relative(dir, p).split(/[\\/]/).join('/');
    const stored = `sql/${rel}`;
    const st = await stat(p).catch(() => undefined);
    if (st && st.size > MAX_SQL_EXPORT_BYTES) {
      files.push({ originalPath: p, kind: 'sql-export', method: 'export', size: st.size, error: `larger than ${MAX_SQL_EXPORT_BYTES} bytes: not collected` });
      continue;
    }
    if (st && !st.isFile()) {
      files.push({ originalPath: p, kind: 'sql-export', method: 'export', size: 0, error: 'not a regular file: not opened' });
      continue;
    }
    try {
      const r = await writer.addStream(stored, createReadStream(p), st?.mtime);
      const f: ManifestFile = { originalPath: p, storedPath: stored, kind: 'sql-export', method: 'export', size: r.size, sha256: r.sha256, sha1: r.sha1, md5: r.md5, reason: '--sql-export' };
      if (st) f.modified = st.mtime.toISOString();
      if (r.readError) f.error = `read failed: ${r.readError}`;
      files.push(f);
      listed.push({ artefact: { originalPath: p, storedPath: stored, kind: 'sql-export', size: r.size, sha256: r.sha256 }, open: async () => fsFileSource(bufferFile(await readFile(p))) });
    } catch (e) {
      if (writer.error) throw e;
      files.push({ originalPath: p, kind: 'sql-export', method: 'export', size: 0, error: (e as Error).message });
    }
  }
  log('info', `SQL exports: ${input.paths.length} file(s) from ${dir}`);
}

/**
 * espy's triage SQL on every instance of the live host; returns the outputs' text, read for
 * the DLL names the server's own lists give (sp_helpextendedproc).
 */
export async function runLiveSql(ctx: SqlContext, live: LiveHost): Promise<{ label: string; text: string }[]> {
  const { files, listed, writer, log } = ctx;
  const texts: { label: string; text: string }[] = [];
  const instances = await live.sqlInstances().catch((e: Error) => {
    log('warn', `listing SQL Server instances failed: ${e.message}`);
    return [] as string[];
  });
  for (const inst of instances) {
    if (ctx.signal.aborted) break;
    const results = await live.runTriageSql(inst).catch((e: Error) => [{ instance: inst, name: '', command: `triage SQL (${inst})`, error: e.message }] as SqlQueryOutput[]);
    for (const q of results) {
      if (q.notCollected) {
        log('warn', `triage SQL on ${inst}: ${q.notCollected}`);
        continue;
      }
      if (!q.output) {
        log('warn', `triage SQL on ${inst} failed: ${q.error ?? 'no output'}`);
        files.push({ originalPath: q.command, kind: 'sql-export', method: 'query', size: 0, error: q.error ?? 'no output' });
        continue;
      }
      const stored = `sql/${q.name}`;
      const r = await writer.addBytes(stored, q.output);
      files.push({ originalPath: q.command, storedPath: stored, kind: 'sql-export', method: 'query', size: r.size, sha256: r.sha256, sha1: r.sha1, md5: r.md5, reason: `triage SQL (${inst})` });
      const out = q.output;
      listed.push({ artefact: { originalPath: q.command, storedPath: stored, kind: 'sql-export', size: r.size, sha256: r.sha256 }, open: () => Promise.resolve(fsFileSource(bufferFile(out))) });
      if (out.byteLength <= MAX_SQL_TEXT_BYTES) texts.push({ label: q.command, text: decodeText(out, { invalidUtf8: 'windows-1252' }).text });
    }
  }
  return texts;
}
