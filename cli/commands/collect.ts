import { Command, Option } from 'commander';
import { stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { AnalysisResult, Finding } from '../../detection/analysis-result.js';
import type { EvidenceSet } from '../../detection/evidence.js';
import { BundleWriteError, collect, SourceError, type CollectResult, type ExtraEntry } from '../../collector/index.js';
import { evtxEventReader } from '../../collector/wiring.js';
import type { FileClassifier } from '../../collector/classify.js';
import { createWindowsLiveHost } from '../../collector/live/windows.js';
import { renderReport } from '../../report-templates/index.js';
import type { CliContext } from '../context.js';
import { revealControls } from '../terminal-text.js';
import { EXIT, ExitError, UsageError } from '../exit-codes.js';
import type { CommandFactory } from '../command.js';
import { loadReportTemplates, writeReportOutputs } from '../report-output.js';
import { makeCollectPipeline } from '../collect-pipeline.js';
import { recipientsOf } from '../seal-options.js';

/**
 * `espy collect`: collect → analyse → render → write. Analysis and the DLL
 * classifier are passed in (`CollectPipeline`, built by cli/collect-pipeline.ts); without
 * them the bundle is written without analysis.json and the output says so.
 */

export interface CollectPipeline {
  analyse?(
    evidence: EvidenceSet,
    opts: { baseline?: string; signal: AbortSignal; command: string; onProgress?: (phase: string, done: number, total: number, label: string, unit?: 'bytes') => void },
  ): Promise<AnalysisResult>;
  classify?: FileClassifier;
}

/**
 * Deflate level of the bundle: 1 by default. On a live production server CPU time matters more
 * than bundle size (level 1 is ~2x faster than 6 for ~10-20% more bytes on log data).
 */
export const DEFAULT_COMPRESSION_LEVEL = 1;

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i;

/** `10M`, `512k`, `2GiB`, `1000` → bytes. */
export function parseSize(s: string): number | undefined {
  const m = SIZE.exec(s.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : unit === 't' ? 1024 ** 4 : 1;
  return Math.floor(Number(m[1]) * mult);
}

export const CollectArgs = z.object({
  source: z.string().min(1).optional(),
  sqlExport: z.string().min(1).optional(),
  out: z.string().min(1),
  baseline: z.string().min(1).optional(),
  trust: z.array(z.string().min(1)).optional(),
  sweep: z.enum(['smart', 'full', 'none']),
  passwordEnv: z.string().min(1).optional(),
  passwordPrompt: z.boolean(),
  recipient: z.array(z.string().min(1)).optional(),
  recipientsFile: z.string().min(1).optional(),
  copyBinn: z.boolean(),
  noSql: z.boolean(),
  maxFileSize: z.number().int().positive(),
  level: z.number().int().min(0).max(9),
});
export type CollectArgs = z.infer<typeof CollectArgs>;

interface RawCollect {
  source?: string;
  sqlExport?: string;
  out?: string;
  baseline?: string;
  trust?: string[];
  sweep?: string;
  passwordEnv?: string;
  password?: boolean;
  recipient?: string[];
  recipientsFile?: string;
  copyBinn?: boolean;
  sql?: boolean;
  maxFileSize?: string;
  compressionLevel?: string;
}

/** Pure flag parsing (tests call it). */
export function parseCollectArgs(raw: RawCollect): CollectArgs {
  const max = raw.maxFileSize === undefined ? 4 * 1024 ** 3 : parseSize(raw.maxFileSize);
  if (max === undefined || max <= 0) throw new UsageError(`collect: --max-file-size must be a size like 500M or 2G, not ${JSON.stringify(raw.maxFileSize)}`);
  const r = CollectArgs.safeParse({
    ...(raw.source === undefined ? {} : { source: raw.source }),
    ...(raw.sqlExport === undefined ? {} : { sqlExport: raw.sqlExport }),
    out: raw.out ?? 'espy-out',
    ...(raw.baseline === undefined ? {} : { baseline: raw.baseline }),
    ...(raw.trust?.length ? { trust: raw.trust } : {}),
    sweep: raw.sweep ?? 'smart',
    ...(raw.passwordEnv === undefined ? {} : { passwordEnv: raw.passwordEnv }),
    passwordPrompt: Boolean(raw.password),
    ...(raw.recipient === undefined ? {} : { recipient: raw.recipient }),
    ...(raw.recipientsFile === undefined ? {} : { recipientsFile: raw.recipientsFile }),
    copyBinn: Boolean(raw.copyBinn),
    noSql: raw.sql === false,
    maxFileSize: max,
    level: raw.compressionLevel === undefined ? DEFAULT_COMPRESSION_LEVEL : Number(raw.compressionLevel),
  });
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`collect: invalid ${i?.path.join('.') || 'arguments'}: ${i?.message ?? ''}`);
  }
  if (r.data.passwordEnv && r.data.passwordPrompt) throw new UsageError('collect: give --password-env VAR or --password, not both');
  if ((r.data.passwordEnv || r.data.passwordPrompt) && (r.data.recipient || r.data.recipientsFile)) {
    throw new UsageError('collect: give a password or --recipient/--recipients-file, not both (a sealed bundle needs no password on the host)');
  }
  return r.data;
}

/** Reads a password from the terminal without echo. */
async function promptPassword(ctx: CliContext): Promise<Buffer> {
  if (!ctx.isTTY || !process.stdin.isTTY) throw new UsageError('collect: --password needs a terminal; use --password-env VAR');
  ctx.stderr.write('Bundle password: ');
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  const chars: number[] = [];
  try {
    await new Promise<void>((res, rej) => {
      const onData = (d: Buffer): void => {
        for (const c of d) {
          if (c === 0x0d || c === 0x0a) {
            stdin.off('data', onData);
            return res();
          }
          if (c === 0x03) {
            stdin.off('data', onData);
            return rej(new ExitError(EXIT.INTERRUPTED, 'interrupted'));
          }
          if (c === 0x7f || c === 0x08) chars.pop();
          else chars.push(c);
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    ctx.stderr.write('\n');
  }
  if (chars.length === 0) throw new UsageError('collect: empty password');
  return Buffer.from(chars);
}

function password(args: CollectArgs, ctx: CliContext): Promise<Buffer | undefined> {
  if (args.passwordEnv) {
    const v = ctx.env[args.passwordEnv];
    if (!v) throw new UsageError(`collect: environment variable ${args.passwordEnv} is empty or not set`);
    return Promise.resolve(Buffer.from(v, 'utf8'));
  }
  return args.passwordPrompt ? promptPassword(ctx) : Promise.resolve(undefined);
}

/** Runs the whole command: collect → analyse → render → write. */
export async function runCollect(args: CollectArgs, ctx: CliContext, pipeline: CollectPipeline): Promise<Record<string, unknown>> {
  const recipients = await recipientsOf(args, ctx.cwd, 'collect');
  const pw = await password(args, ctx);
  if (args.source === undefined && process.platform !== 'win32') {
    throw new UsageError('collect: no --source given; live collection needs Windows (give --source DIR for an image or collection)');
  }
  const outDir = resolve(ctx.cwd, args.out);
  const outStat = await stat(outDir).catch(() => undefined);
  if (outStat && !outStat.isDirectory()) throw new UsageError(`collect: --out ${args.out} exists and is not a folder`);
  const progress = ctx.newProgress();
  let analysisFailed = false;
  let phase = '';
  let analysis: AnalysisResult | undefined;
  const command = ['espy', ...ctx.argv.slice(2)].join(' ');
  const afterCollect = pipeline.analyse
    ? async (evidence: EvidenceSet): Promise<ExtraEntry[]> => {
        progress.stop();
        ctx.log.info('analysing the collected evidence');
        phase = '';
        const onProgress = (p: string, done: number, total: number, label: string, unit?: 'bytes'): void => {
          if (p !== phase) {
            progress.stop();
            progress.start(total, `analysing: ${p}`, unit === 'bytes' ? 'bytes' : 'items');
            phase = p;
          }
          progress.update(done, label);
        };
        try {
          analysis = await pipeline.analyse?.(evidence, { ...(args.baseline ? { baseline: resolve(ctx.cwd, args.baseline) } : {}), signal: ctx.signal, command, onProgress });
          progress.stop();
          if (!analysis) return [];
          const html = renderReport(analysis, loadReportTemplates(), { generatedAt: analysis.generatedAt });
          return [
            { name: 'analysis.json', data: `${JSON.stringify(analysis, null, 2)}\n` },
            { name: 'report.html', data: html },
          ];
        } catch (e) {
          // The collector logs it into the bundle and keeps the bundle; the exit code says so.
          analysis = undefined;
          analysisFailed = true;
          throw e;
        }
      }
    : undefined;
  let res: CollectResult;
  try {
    const classify = pipeline.classify;
    res = await collect({
      ...(args.source === undefined ? {} : { source: resolve(ctx.cwd, args.source) }),
      ...(args.sqlExport === undefined ? {} : { sqlExport: resolve(ctx.cwd, args.sqlExport) }),
      outDir,
      sweep: args.sweep,
      copyBinn: args.copyBinn,
      noSql: args.noSql,
      maxFileSize: args.maxFileSize,
      level: args.level,
      ...(pw ? { password: pw } : {}),
      ...(recipients ? { recipients } : {}),
      signal: ctx.signal,
      now: () => new Date(),
      espyVersion: ctx.version,
      recordedOptions: { ...args, passwordEnv: args.passwordEnv ? '(set)' : undefined, encrypted: Boolean(pw) },
      log: (level, msg) => (level === 'error' ? ctx.log.error(msg) : level === 'warn' ? ctx.log.warn(msg) : level === 'info' ? ctx.log.detail(msg) : ctx.log.debug(msg)),
      progress: (p, done, total, unit) => {
        if (p !== phase) {
          progress.stop();
          progress.start(total, p, unit === 'bytes' ? 'bytes' : 'items');
          phase = p;
        }
        progress.update(done);
      },
      localHost: { hostname: hostname(), platform: process.platform, ...safeUser() },
      readEvents: evtxEventReader,
      ...(classify ? { classify } : {}),
      ...(args.source === undefined ? { live: await createWindowsLiveHost({ noSql: args.noSql, env: ctx.env }) } : {}),
      ...(afterCollect ? { afterCollect } : {}),
    });
  } catch (e) {
    if (e instanceof SourceError) throw new UsageError(`collect: ${e.message}`);
    if (e instanceof BundleWriteError) throw new ExitError(EXIT.INTERNAL, `collect: ${e.message}${e.partialPath ? '' : ' (no bundle was left behind)'}`);
    throw e;
  } finally {
    progress.stop();
  }
  let report: string | undefined;
  const finalAnalysis = analysis as AnalysisResult | undefined;
  // Sealed: analysis.json and report.html (evidence excerpts) are inside the bundle only.
  if (finalAnalysis && !res.incomplete && !recipients) {
    const dir = join(outDir, res.bundlePath.replace(/^.*[\\/]/, '').replace(/\.zip$/, ''));
    report = (await writeReportOutputs(finalAnalysis, dir, { bundle: { name: res.bundlePath.replace(/^.*[\\/]/, ''), sha256: res.sha256 }, analysisJson: true })).report;
  }
  if (res.errors > 0) ctx.markPartial(`${res.errors} file(s) could not be collected (see the manifest)`);
  if (analysisFailed && !res.incomplete) {
    // The collector has already said "analysis failed: <why>" (also in collection.log).
    ctx.log.warn(`the bundle is kept without analysis.json and report.html: run espy analyze ${res.bundlePath}`);
    ctx.markPartial('the analysis failed');
  }
  const findings: Finding[] = finalAnalysis?.findings ?? [];
  return {
    bundle: res.bundlePath,
    sealed: recipients ? { recipients } : null,
    sha256: res.sha256,
    sidecar: `${res.bundlePath}.sha256`,
    manifestSha256: res.manifestSha256,
    host: res.host,
    incomplete: res.incomplete,
    ...(res.incompleteReason ? { incompleteReason: res.incompleteReason } : {}),
    files: res.files,
    bytes: res.bytes,
    errors: res.errors,
    verdict: finalAnalysis?.verdict.verdict ?? null,
    findings: findings.map((f) => (recipients ? { id: f.id, ruleId: f.ruleId, severity: f.severity, count: f.count } : { id: f.id, ruleId: f.ruleId, title: f.title, severity: f.severity, count: f.count })),
    report: report ?? null,
    analysis: finalAnalysis
      ? recipients
        ? 'inside the sealed bundle only (analysis.json, report.html)'
        : 'included'
      : pipeline.analyse
        ? 'failed (see collection.log)'
        : 'not available in this build: bundle written without analysis',
  };
}

function safeUser(): { user?: string } {
  try {
    return { user: userInfo().username };
  } catch {
    return {};
  }
}

function printHuman(ctx: CliContext, o: Record<string, unknown>): void {
  const lines = [
    `bundle:   ${String(o['bundle'])}${o['incomplete'] ? '  (INCOMPLETE: interrupted; the manifest says so)' : ''}`,
    `sha256:   ${String(o['sha256'])}  (also in ${String(o['sidecar'])})`,
    `manifest: sha256 ${String(o['manifestSha256'])}`,
    `host:     ${String(o['host'])}`,
    `files:    ${String(o['files'])} stored (${String(o['bytes'])} bytes), ${String(o['errors'])} with errors`,
    o['verdict'] ? `verdict:  ${String(o['verdict'])} (${(o['findings'] as unknown[]).length} findings)` : `analysis: ${String(o['analysis'])}`,
  ];
  if (o['report']) lines.push(`report:   ${String(o['report'])}`);
  const sealed = o['sealed'] as { recipients: string[] } | null;
  if (sealed) lines.push(`sealed:   for ${sealed.recipients.join(', ')}; report and analysis.json are inside the bundle only`);
  ctx.stdout.write(`${revealControls(lines.join('\n'))}\n`);
}

export const collectCommand: CommandFactory = (ctx) =>
  new Command('collect')
    .description('collect the evidence of a host (live, or an image/KAPE/Velociraptor folder) into a verifiable bundle, then analyse it')
    .option('--source <dir>', 'a mounted image, KAPE or Velociraptor collection (folder or .zip); default: this live Windows host')
    .option('--sql-export <dir>', 'folder of SQL exports (sp_helpextendedproc, principals, ...) to include')
    .option('--out <dir>', 'output folder for the bundle and the report', 'espy-out')
    .option('--baseline <file>', 'known-good ESP inventory (espy baseline create)')
    .option('--trust <file>', 'extra Authenticode trust anchor(s), PEM (repeatable; Microsoft roots are built in)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--sweep <mode>', 'DLL sweep: smart (drop locations), full (whole drives) or none').choices(['smart', 'full', 'none']).default('smart'))
    .option('--password-env <var>', 'encrypt the bundle (AES-256) with the password in environment variable VAR')
    .option('--password', 'encrypt the bundle (AES-256), asking for the password on the terminal')
    .option('--recipient <key>', "seal the bundle (age) for this public key (age1..., the analyst's; repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--recipients-file <file>', 'seal the bundle (age) for the age1... recipients in FILE, one per line')
    .option('--copy-binn', 'also copy the DLLs of the SQL Server Binn folders (default: hashed and classified only)')
    .option('--no-sql', 'live host: do not run the triage SQL with sqlcmd')
    .option('--max-file-size <size>', 'skip (and list) files larger than this, e.g. 500M, 2G', '4G')
    .addOption(new Option('--compression-level <n>', `zip deflate level 0-9 (default ${DEFAULT_COMPRESSION_LEVEL})`).hideHelp())
    .action(async (raw: RawCollect) => {
      const c = ctx();
      const args = parseCollectArgs(raw);
      const pipeline = await makeCollectPipeline(c, { ...(args.baseline ? { baseline: resolve(c.cwd, args.baseline) } : {}), trust: args.trust ?? [] });
      let out: Record<string, unknown>;
      try {
        out = await runCollect(args, c, pipeline);
      } finally {
        await pipeline.close();
      }
      if (c.json) c.stdout.write(`${JSON.stringify(out)}\n`);
      else printHuman(c, out);
      if (out['incomplete']) throw new ExitError(EXIT.INTERRUPTED, 'collection interrupted: the bundle is marked incomplete');
    });
