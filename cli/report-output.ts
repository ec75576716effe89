/**
 * Writes the report and the exports for an `AnalysisResult` (the I/O half of
 * render → write): reads the template files through `cli/assets.ts` (source tree or SEA
 * assets), calls the pure renderers of `report-templates/` and writes the files.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { AnalysisResult } from '../detection/analysis-result.js';
import { analysisJsonPieces } from '../detection/analysis-json.js';
import { REPORT_TEMPLATE_FILES, renderFindingsCsv, renderFleet, renderReport, renderSummaryMd, renderTimelineCsv, renderTimelineJsonl, type ReportTemplates } from '../report-templates/index.js';
import { readAssetText } from './assets.js';
import { writeTextPieces } from './piece-writer.js';

/** File names written by `writeReportOutputs`, in `outDir`. */
export const REPORT_FILES = {
  report: 'report.html',
  findingsCsv: 'findings.csv',
  timelineCsv: 'timeline.csv',
  timelineJsonl: 'timeline.jsonl',
  summary: 'summary.md',
  analysis: 'analysis.json',
} as const;

export const FLEET_FILE = 'fleet.html';

let cached: ReportTemplates | undefined;

/** The shipped template files (read once per process). */
export function loadReportTemplates(): ReportTemplates {
  cached ??= {
    skeleton: readAssetText(REPORT_TEMPLATE_FILES.skeleton),
    css: readAssetText(REPORT_TEMPLATE_FILES.css),
    js: readAssetText(REPORT_TEMPLATE_FILES.js),
  };
  return cached;
}

export interface ReportOutputOptions {
  /** Report time (UTC ISO-8601); defaults to now. Tests pass a fixed value. */
  generatedAt?: string;
  /** The bundle the result came from, when the caller knows it better than the result does. */
  bundle?: { name: string; sha256: string };
  /** Also write `analysis.json` (pretty-printed result); off by default (the analysis writes it). */
  analysisJson?: boolean;
  templates?: ReportTemplates;
  /** The report already rendered (`collect` writes the same bytes into the bundle and the out folder). */
  html?: string;
}

/** Writes a file whole: to `name.partial` first, then renamed, so no half file keeps the real name. */
async function writeWhole(path: string, text: string): Promise<void> {
  const tmp = `${path}.partial`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}

/**
 * Writes `analysis.json` of `result` to `path`, streamed (a result with a million logins
 * never becomes one string): byte-identical to `${JSON.stringify(result, null, 2)}\n`.
 */
export async function writeAnalysisJson(path: string, result: AnalysisResult, signal?: AbortSignal): Promise<void> {
  await writeTextPieces(path, analysisJsonPieces(result), signal);
}

/**
 * Renders every output in memory, in file order: `report.html`, `findings.csv`,
 * `timeline.csv`, `timeline.jsonl`, `summary.md` (and `analysis.json` on request). For
 * callers that store them elsewhere than a folder (e.g. inside an evidence bundle).
 */
export function renderReportOutputs(result: AnalysisResult, opts: ReportOutputOptions = {}): { name: string; text: string }[] {
  const templates = opts.templates ?? loadReportTemplates();
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const renderOpts = opts.bundle ? { generatedAt, bundle: opts.bundle } : { generatedAt };
  const out: { name: string; text: string }[] = [
    { name: REPORT_FILES.report, text: opts.html ?? renderReport(result, templates, renderOpts) },
    { name: REPORT_FILES.findingsCsv, text: renderFindingsCsv(result) },
    { name: REPORT_FILES.timelineCsv, text: renderTimelineCsv(result) },
    { name: REPORT_FILES.timelineJsonl, text: renderTimelineJsonl(result) },
    { name: REPORT_FILES.summary, text: renderSummaryMd(result, renderOpts) },
  ];
  if (opts.analysisJson) out.push({ name: REPORT_FILES.analysis, text: [...analysisJsonPieces(result)].join('') });
  return out;
}

/**
 * Renders and writes `report.html`, `findings.csv`, `timeline.csv`, `timeline.jsonl` and
 * `summary.md` (and `analysis.json` on request) into `outDir` (created if missing).
 * Returns the report's path and every file written, in that order.
 */
export async function writeReportOutputs(result: AnalysisResult, outDir: string, opts: ReportOutputOptions = {}): Promise<{ report: string; files: string[] }> {
  const outputs = renderReportOutputs(result, { ...opts, analysisJson: false });
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  for (const { name, text } of outputs) {
    const path = join(outDir, name);
    await writeWhole(path, text);
    files.push(path);
  }
  if (opts.analysisJson) {
    const path = join(outDir, REPORT_FILES.analysis);
    await writeAnalysisJson(path, result);
    files.push(path);
  }
  return { report: join(outDir, REPORT_FILES.report), files };
}

/**
 * A folder name for one host's outputs in a multi-host run: the host name with anything but
 * `[A-Za-z0-9._-]` replaced by `_` (attacker-controlled names never form paths or schemes),
 * at most 64 characters, never `.`/`..`/empty; `suffix` disambiguates equal names.
 */
export function hostDirName(hostName: string, suffix?: string | number): string {
  let name = hostName.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  if (/^\.*$/.test(name)) name = `host${name.length > 0 ? '_' : ''}`;
  return suffix === undefined ? name : `${name}-${suffix}`;
}

/** A relative link from `fromDir` to `target`: POSIX separators, each segment percent-encoded. */
export function relativeHref(fromDir: string, target: string): string {
  const rel = relative(resolve(fromDir), resolve(target));
  return rel
    .split(sep)
    .map((seg) => (seg === '..' ? seg : encodeURIComponent(seg)))
    .join('/');
}

/**
 * Writes `fleet.html` into `outDir`: one row per host with its verdict, key indicators and a
 * relative link to its report. Returns the file's path.
 */
export async function writeFleet(
  hosts: readonly { result: AnalysisResult; reportPath: string }[],
  outDir: string,
  opts: { generatedAt?: string; espyVersion: string; templates?: ReportTemplates },
): Promise<string> {
  const templates = opts.templates ?? loadReportTemplates();
  await mkdir(outDir, { recursive: true });
  const entries = hosts.map((h) => ({ result: h.result, reportHref: relativeHref(outDir, h.reportPath) }));
  const path = join(outDir, FLEET_FILE);
  await writeWhole(path, renderFleet(entries, templates, { generatedAt: opts.generatedAt ?? new Date().toISOString(), espyVersion: opts.espyVersion }));
  return path;
}
