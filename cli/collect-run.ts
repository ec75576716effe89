/**
 * `espy collect`, from the flags to the report, in the order a responder works:
 *   open the source and the bundle → the SQL Server's own lists → plan → copy the files
 *   (hash and deflate; the analysis reads the logs from the same bytes as they pass, on the
 *   other core from the deflate) → sweep → analyse → render once → the same report into the
 *   bundle and the out folder → finish the bundle.
 * A failed analysis leaves the bundle without analysis.json and report.html, and the run is
 * partial (exit 3). The bundle is always written.
 */
import { stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { AnalysisResult } from '../detection/analysis-result.js';
import type { LogScan } from '../detection/analyze/run.js';
import { analysisJsonPieces } from '../detection/analysis-json.js';
import type { EvidenceArtefact, EvidenceSet } from '../detection/evidence.js';
import { BundleWriteError, CollectSession, SourceError, type CollectOptions, type CollectResult, type FileClassifier, type StreamedLogs } from '../collector/index.js';
import { createWindowsLiveHost } from '../collector/live/windows.js';
import { evtxEventReader } from '../collector/wiring.js';
import { renderReport } from '../report-templates/index.js';
import type { CollectArgs } from './collect-args.js';
import type { CliContext } from './context.js';
import { EXIT, ExitError, UsageError } from './exit-codes.js';
import { collectOutcome, type CollectOutcome } from './collect-outcome.js';
import { loadReportTemplates, writeReportOutputs } from './report-output.js';
import { collectSecrets } from './collect-secrets.js';

type Progress = (phase: string, done: number, total: number, label: string, unit?: 'bytes') => void;

/** What `collect` needs of the analysis (cli/collect-pipeline.ts builds it; tests inject their own). */
export interface CollectAnalysis {
  classify?: FileClassifier;
  /** Reads the SQL exports and the logs of `artefacts` through the rules (the logs open as the copy streams them). */
  scanLogs?(evidence: EvidenceSet, artefacts: readonly EvidenceArtefact[], opts: { signal: AbortSignal }): Promise<LogScan>;
  analyse(evidence: EvidenceSet, opts: { logScan?: LogScan; baseline?: string; bundleName: string; signal: AbortSignal; command: string; onProgress?: Progress }): Promise<AnalysisResult>;
}

/** Runs the whole command; `analysis` undefined writes the bundle without analysis. */
export async function runCollect(args: CollectArgs, ctx: CliContext, analysis: CollectAnalysis | undefined): Promise<CollectOutcome> {
  const secrets = await collectSecrets(args, ctx);
  if (args.source === undefined && process.platform !== 'win32') {
    throw new UsageError('collect: no --source given; live collection needs Windows (give --source DIR for an image or collection)');
  }
  const outDir = resolve(ctx.cwd, args.out);
  const outStat = await stat(outDir).catch(() => undefined);
  if (outStat && !outStat.isDirectory()) throw new UsageError(`collect: --out ${args.out} exists and is not a folder`);
  const progress = progressOf(ctx);
  const session = await openSession(await sessionOptions(args, ctx, outDir, secrets, analysis, progress.collect));
  try {
    await session.gatherSql();
    const plan = await session.plan();
    await session.describeHost(plan);
    const logScan = analysis?.scanLogs ? scanWhileCopying(session, session.streamLogs(plan), analysis, ctx) : undefined;
    await session.copy(plan.items, 'collecting files');
    session.endStreaming();
    await session.sweep(plan);
    progress.stop();
    const result = analysis && !session.interrupted ? await analyse(session, analysis, logScan, args, ctx, progress.analyse) : undefined;
    const html = result ? renderReport(result, loadReportTemplates(), { generatedAt: result.generatedAt }) : undefined;
    if (result && html) {
      await session.add('analysis.json', analysisJsonPieces(result));
      await session.add('report.html', html);
    }
    const res = await session.finish();
    const report = result && html && !res.incomplete && !secrets.recipients ? await writeOutFolder(outDir, res, result, html) : undefined;
    if (res.errors > 0) ctx.markPartial(`${res.errors} file(s) could not be collected (see the manifest)`);
    if (analysis && !result && !res.incomplete) {
      ctx.log.warn(`the bundle is kept without analysis.json and report.html: run espy analyze ${res.bundlePath}`);
      ctx.markPartial('the analysis failed');
    }
    return collectOutcome(res, result, { report, recipients: secrets.recipients, analysed: Boolean(analysis) });
  } catch (e) {
    throw errorOf(await session.fail(e));
  } finally {
    progress.stop();
    await session.close();
  }
}

async function sessionOptions(
  args: CollectArgs,
  ctx: CliContext,
  outDir: string,
  secrets: Awaited<ReturnType<typeof collectSecrets>>,
  analysis: CollectAnalysis | undefined,
  progress: NonNullable<CollectOptions['progress']>,
): Promise<CollectOptions> {
  return {
    ...(args.source === undefined ? {} : { source: resolve(ctx.cwd, args.source) }),
    ...(args.sqlExport === undefined ? {} : { sqlExport: resolve(ctx.cwd, args.sqlExport) }),
    outDir,
    sweep: args.sweep,
    copyBinn: args.copyBinn,
    noSql: args.noSql,
    maxFileSize: args.maxFileSize,
    level: args.level,
    ...(secrets.password ? { password: secrets.password } : {}),
    ...(secrets.recipients ? { recipients: secrets.recipients } : {}),
    signal: ctx.signal,
    now: () => new Date(),
    espyVersion: ctx.version,
    recordedOptions: { ...args, passwordEnv: args.passwordEnv ? '(set)' : undefined, encrypted: Boolean(secrets.password) },
    log: (level, msg) => (level === 'error' ? ctx.log.error(msg) : level === 'warn' ? ctx.log.warn(msg) : level === 'info' ? ctx.log.detail(msg) : ctx.log.debug(msg)),
    progress,
    localHost: { hostname: hostname(), platform: process.platform, ...safeUser() },
    readEvents: evtxEventReader,
    ...(analysis?.classify ? { classify: analysis.classify } : {}),
    ...(args.source === undefined ? { live: await createWindowsLiveHost({ noSql: args.noSql, env: ctx.env }) } : {}),
  };
}

async function openSession(opts: CollectOptions): Promise<CollectSession> {
  try {
    return await CollectSession.open(opts);
  } catch (e) {
    throw errorOf(e);
  }
}

/** A bad source is the user's mistake (exit 2); a bundle that cannot be written is final (exit 1, with what was kept). */
function errorOf(e: unknown): unknown {
  if (e instanceof SourceError) return new UsageError(`collect: ${e.message}`);
  if (e instanceof BundleWriteError) return new ExitError(EXIT.INTERNAL, `collect: ${e.message}${e.partialPath ? '' : ' (no bundle was left behind)'}`);
  return e;
}

/**
 * Starts reading the logs through the rules as the copy streams them. The SQL exports are
 * already in the session (their UTC offset dates ERRORLOG lines). A failure is the analysis's
 * (reported by `analyse`); the copy never waits for a reader that stopped.
 */
function scanWhileCopying(session: CollectSession, streamed: StreamedLogs, analysis: CollectAnalysis, ctx: CliContext): Promise<LogScan> {
  const stored = session.evidence();
  const evidence: EvidenceSet = { ...stored, open: (a) => (a.kind === 'evtx' || a.kind === 'errorlog' ? streamed.open(a) : stored.open(a)) };
  const scanning = stored
    .list()
    .then((listed) => analysis.scanLogs?.(evidence, [...listed.filter((a) => a.kind === 'sql-export'), ...streamed.artefacts], { signal: ctx.signal }) as Promise<LogScan>)
    .finally(() => streamed.close());
  scanning.catch(() => undefined);
  return scanning;
}

async function analyse(
  session: CollectSession,
  analysis: CollectAnalysis,
  logScan: Promise<LogScan> | undefined,
  args: CollectArgs,
  ctx: CliContext,
  onProgress: Progress,
): Promise<AnalysisResult | undefined> {
  ctx.log.info('analysing the collected evidence');
  try {
    return await analysis.analyse(session.evidence(), {
      ...(logScan ? { logScan: await logScan } : {}),
      ...(args.baseline ? { baseline: resolve(ctx.cwd, args.baseline) } : {}),
      bundleName: session.bundleName,
      signal: ctx.signal,
      command: ['espy', ...ctx.argv.slice(2)].join(' '),
      onProgress,
    });
  } catch (e) {
    // Logged into the bundle; the bundle is kept and the exit code says so.
    session.note('error', `analysis failed: ${(e as Error).message}`);
    return undefined;
  }
}

/** The same report as in the bundle, and the exports of the result, in `<out>/<bundle name>/`. */
async function writeOutFolder(outDir: string, res: CollectResult, result: AnalysisResult, html: string): Promise<string> {
  const name = basename(res.bundlePath);
  const dir = join(outDir, name.replace(/\.zip$/, ''));
  return (await writeReportOutputs(result, dir, { html, generatedAt: result.generatedAt, analysisJson: true })).report;
}

function progressOf(ctx: CliContext): { collect: NonNullable<CollectOptions['progress']>; analyse: Progress; stop(): void } {
  const bar = ctx.newProgress();
  let phase = '';
  const show = (p: string, done: number, total: number, unit: 'bytes' | undefined, label?: string): void => {
    if (p !== phase) {
      bar.stop();
      bar.start(total, p, unit === 'bytes' ? 'bytes' : 'items');
      phase = p;
    }
    bar.update(done, label);
  };
  return {
    collect: (p, done, total, unit) => show(p, done, total, unit),
    analyse: (p, done, total, label, unit) => show(`analysing: ${p}`, done, total, unit, label),
    stop: () => {
      bar.stop();
      phase = '';
    },
  };
}

function safeUser(): { user?: string } {
  try {
    return { user: userInfo().username };
  } catch {
    return {};
  }
}
