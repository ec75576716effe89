import { readFile, readdir, lstat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { Hunter, loadRules, SIGMA_LEVELS, summarizeLoad, type HuntRow, type LoadReport, type RuleFile } from '../../detection/sigma/index.js';
import { scanEvtxRecords } from '../../parsers/evtx/index.js';
import { streamErrorlog } from '../../parsers/errorlog/index.js';
import { listAssets, readAssetText } from '../assets.js';
import type { CliContext } from '../context.js';
import { EXIT, ExitError, UsageError } from '../exit-codes.js';
import { openFileSource } from '../file-source.js';
import type { CommandFactory } from '../command.js';
import { revealControls } from '../terminal-text.js';

/** `espy hunt`: Sigma rules over EVTX files, ERRORLOGs and folders. */

const FORMATS = ['table', 'jsonl', 'csv'] as const;
const MAX_WALK_DEPTH = 32;
const EVTX_MAGIC = 'ElfFile\0';
const ERRORLOG_NAME = /^(errorlog(\.\d+)?|sqlagent\.(out|\d+))$/i;

export const HuntArgs = z.object({
  paths: z.array(z.string().min(1)),
  sigma: z.array(z.string().min(1)),
  format: z.enum(FORMATS),
  check: z.boolean(),
  json: z.boolean(),
  /** Rows below this Sigma level are counted, not printed. */
  minLevel: z.enum(SIGMA_LEVELS),
});
export type HuntArgs = z.infer<typeof HuntArgs>;

/** Pure flag parsing (tests call it). */
export function parseHuntArgs(paths: string[], raw: { sigma?: string[]; format?: string; check?: boolean; json?: boolean; minLevel?: string }, globalJson = false): HuntArgs {
  const json = Boolean(raw.json) || globalJson;
  const r = HuntArgs.safeParse({
    paths,
    sigma: raw.sigma ?? [],
    format: raw.format ?? (json ? 'jsonl' : 'table'),
    check: Boolean(raw.check),
    json,
    minLevel: raw.minLevel ?? 'informational',
  });
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`hunt: invalid ${i?.path.join('.') || 'arguments'}: ${i?.message ?? ''}`);
  }
  if (!r.data.check && r.data.paths.length === 0) throw new UsageError('hunt: give at least one EVTX file, ERRORLOG or folder (or --check)');
  return r.data;
}

async function walk(dir: string, depth: number, out: string[], pick: (name: string) => boolean): Promise<void> {
  if (depth > MAX_WALK_DEPTH) return;
  const names = (await readdir(dir)).sort();
  for (const n of names) {
    const p = join(dir, n);
    const st = await lstat(p);
    if (st.isSymbolicLink()) continue; // never follow links out of the tree
    if (st.isDirectory()) await walk(p, depth + 1, out, pick);
    else if (st.isFile() && pick(n)) out.push(p);
  }
}

/** Rule files from --sigma paths, or espy's shipped pack. */
export async function readRuleFiles(ctx: CliContext, sigma: string[]): Promise<RuleFile[]> {
  if (sigma.length === 0) {
    return listAssets('rules/sigma/')
      .filter((k) => /\.ya?ml$/i.test(k))
      .map((k) => ({ path: k, text: readAssetText(k) }));
  }
  const files: string[] = [];
  for (const s of sigma) {
    const p = resolve(ctx.cwd, s);
    let st;
    try {
      st = await lstat(p);
    } catch {
      throw new UsageError(`hunt: --sigma ${s}: no such file or folder`);
    }
    if (st.isDirectory()) await walk(p, 0, files, (n) => /\.ya?ml$/i.test(n));
    else files.push(p);
  }
  return Promise.all(files.map(async (f) => ({ path: relative(ctx.cwd, f) || f, text: await readFile(f, 'utf8') })));
}

function printLoadReport(ctx: CliContext, report: LoadReport, json: boolean): void {
  if (json) {
    ctx.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const pct = (report.loadedRatio * 100).toFixed(2);
  const lines = [`rule documents: ${report.documents}`, `loaded: ${report.loaded} (${report.detection} detection, ${report.correlation} correlation), ${pct}%`, `rejected: ${report.rejected}`];
  for (const [code, n] of Object.entries(report.byCode)) lines.push(`  ${code}: ${n}`);
  for (const e of report.errors) lines.push(`${e.path}:${e.line}:${e.column}: ${e.code}: ${e.reason}`);
  ctx.stdout.write(revealControls(lines.join('\n')) + '\n');
}

const CSV_COLUMNS = ['level', 'title', 'ruleId', 'kind', 'file', 'recordId', 'line', 'timestamp', 'eventId', 'count', 'group'] as const;

function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // spreadsheet formula neutralising
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function formatRow(row: HuntRow, format: (typeof FORMATS)[number]): string {
  if (format === 'jsonl') return JSON.stringify(row) + '\n';
  if (format === 'csv') return CSV_COLUMNS.map((c) => csvCell(row[c])).join(',') + '\r\n';
  const where = row.recordId !== undefined ? `#${row.recordId}` : row.line !== undefined ? `:${row.line}` : '';
  const extra =
    row.kind === 'correlation'
      ? ` (${row.count} events from ${row.firstSeen}${
          row.group && Object.keys(row.group).length
            ? `, ${Object.entries(row.group)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}`
            : ''
        })`
      : '';
  return revealControls(`${row.level.toUpperCase().padEnd(13)} ${row.timestamp.padEnd(28)} ${String(row.eventId).padEnd(6)} ${row.title}${extra}  [${row.ruleId}]  ${row.file}${where}`) + '\n';
}

/** Buffered output: one write per ~64 KiB. */
class Out {
  private buf: string[] = [];
  private size = 0;
  private readonly ctx: CliContext;
  constructor(ctx: CliContext) {
    this.ctx = ctx;
  }
  write(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 65_536) this.flush();
  }
  flush(): void {
    if (this.buf.length) this.ctx.stdout.write(this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
}

async function isEvtx(path: string): Promise<boolean> {
  const src = await openFileSource(path);
  try {
    const head = await src.read(0, 8);
    return Buffer.from(head).toString('latin1') === EVTX_MAGIC;
  } finally {
    await src.close();
  }
}

interface HuntSummary {
  files: number;
  unreadable: number;
  failedRecords: number;
}

async function huntFile(ctx: CliContext, path: string, file: string, hunter: Hunter, emit: (rows: HuntRow[]) => void, sum: HuntSummary): Promise<void> {
  if (await isEvtx(path)) {
    const src = await openFileSource(path);
    try {
      let n = 0;
      // Only records some rule can match are rendered whole (decided from Event.System).
      for await (const o of scanEvtxRecords(src, { want: (head, holds) => hunter.wants(head, holds) })) {
        if (!o.ok) {
          sum.failedRecords++;
          continue;
        }
        if (o.record.event) emit(hunter.push({ event: o.record.event, file, recordId: o.record.recordId }));
        else hunter.pass();
        if (++n % 4096 === 0 && ctx.signal.aborted) return;
      }
    } finally {
      await src.close();
    }
    sum.files++;
    return;
  }
  // Streamed: any size of ERRORLOG costs a window and one entry of memory.
  const src = await openFileSource(path);
  let entries = 0;
  try {
    const stream = streamErrorlog(src, { signal: ctx.signal });
    let step = await stream.next();
    for (; !step.done; step = await stream.next()) {
      entries++;
      emit(hunter.push({ event: step.value.event, file, line: step.value.line }));
    }
    if (entries === 0) throw new Error('neither an EVTX file nor an ERRORLOG');
    sum.failedRecords += step.value.errors.length;
  } catch (e) {
    // Ctrl-C: stop here, as the EVTX branch does; the command reports the interruption.
    if (ctx.signal.aborted) return;
    throw e;
  } finally {
    await src.close();
  }
  sum.files++;
}

/** The library call behind `espy hunt`. */
export async function runHunt(ctx: CliContext, args: HuntArgs): Promise<void> {
  const ruleFiles = await readRuleFiles(ctx, args.sigma);
  const loaded = loadRules(ruleFiles);
  const report = summarizeLoad(loaded);
  if (args.check) {
    printLoadReport(ctx, report, args.json);
    if (report.rejected > 0) throw new ExitError(EXIT.CHECK_FAILED, `${report.rejected} rule(s) rejected`);
    return;
  }
  ctx.log.info(`hunt: ${report.loaded} rule(s) loaded, ${report.rejected} rejected${report.rejected ? ' (see hunt --check)' : ''}`);
  if (report.loaded === 0) throw new UsageError('hunt: no rule loaded');
  const inputs: string[] = [];
  for (const p of args.paths) {
    const abs = resolve(ctx.cwd, p);
    let st;
    try {
      st = await lstat(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`hunt: no such file or folder: ${p}`);
      ctx.log.error(`${p}: ${(e as Error).message}`);
      ctx.markPartial(`${p}: cannot read`);
      continue;
    }
    if (st.isDirectory()) await walk(abs, 0, inputs, (n) => /\.evtx$/i.test(n) || ERRORLOG_NAME.test(n));
    else inputs.push(abs);
  }
  const display = (abs: string): string => {
    const rel = relative(ctx.cwd, abs);
    return rel && !rel.startsWith('..') ? rel : abs;
  };
  const hunter = new Hunter(loaded.rules);
  const out = new Out(ctx);
  if (args.format === 'csv') out.write(CSV_COLUMNS.join(',') + '\r\n');
  const minRank = SIGMA_LEVELS.indexOf(args.minLevel);
  let below = 0;
  const emit = (rows: HuntRow[]): void => {
    for (const r of rows) {
      if (SIGMA_LEVELS.indexOf(r.level) < minRank) below++;
      else out.write(formatRow(r, args.format));
    }
  };
  const sum: HuntSummary = { files: 0, unreadable: 0, failedRecords: 0 };
  const progress = ctx.newProgress();
  progress.start(inputs.length, 'hunt');
  const started = performance.now();
  for (const f of inputs) {
    if (ctx.signal.aborted) break;
    try {
      await huntFile(ctx, f, display(f), hunter, emit, sum);
    } catch (e) {
      sum.unreadable++;
      ctx.log.warn(`${display(f)}: ${(e as Error).message}`);
    }
    progress.increment(1, basename(f));
  }
  progress.stop();
  emit(hunter.finish());
  out.flush();
  const secs = (performance.now() - started) / 1000;
  const st = hunter.stats;
  ctx.log.info(
    `hunt: ${st.events} event(s) from ${sum.files} file(s) in ${secs.toFixed(1)} s, ${st.detections} detection(s), ${st.correlations} correlation(s)` +
      `${sum.unreadable ? `, ${sum.unreadable} unreadable file(s)` : ''}${sum.failedRecords ? `, ${sum.failedRecords} unreadable record(s)/line(s)` : ''}` +
      `${below ? `; ${below} row(s) below --min-level ${args.minLevel} not shown` : ''}`,
  );
  if (sum.unreadable || sum.failedRecords) ctx.markPartial(`${sum.unreadable} unreadable file(s), ${sum.failedRecords} unreadable record(s)`);
  if (ctx.signal.aborted) throw new ExitError(EXIT.INTERRUPTED, 'hunt interrupted; output is incomplete');
}

export const huntCommand: CommandFactory = (ctx) =>
  new Command('hunt')
    .description("run Sigma rules over EVTX files, ERRORLOGs and folders (default: espy's MSSQL rule pack)")
    .argument('[paths...]', 'EVTX files, ERRORLOG files, or folders (searched for *.evtx and ERRORLOG*)')
    .addOption(new Option('--sigma <path>', 'Sigma rule file or folder (repeatable); default: rules/sigma').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]))
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]))
    .option('--check', 'only load the rules and print the load report (loaded, rejected with file:line and reason)')
    .option('--json', 'JSON output (jsonl rows; the load report as one JSON object)')
    .addOption(new Option('--min-level <level>', 'print only rows of this Sigma level or above (the rest are counted)').choices([...SIGMA_LEVELS]))
    .action(async (paths: string[], raw: { sigma?: string[]; format?: string; check?: boolean; json?: boolean; minLevel?: string }) => {
      const c = ctx();
      await runHunt(c, parseHuntArgs(paths, raw, c.json));
    });
