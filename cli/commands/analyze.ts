import { Command } from 'commander';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { openEvidence, verifyBundle, type BundleEvidence } from '../../collector/index.js';
import { ZipFormatError } from '../../collector/zip-reader.js';
import { evtxEventReader } from '../../collector/wiring.js';
import type { AnalysisResult, Verdict } from '../../detection/analysis-result.js';
import { analyze } from '../../detection/analyze/run.js';
import { prepareAnalysis, sweepClassifier } from '../analysis-setup.js';
import type { CliContext } from '../context.js';
import { revealControls } from '../terminal-text.js';
import { EXIT, ExitError, UsageError } from '../exit-codes.js';
import { IDENTITY_HELP, identitiesOf, sealError } from '../seal-options.js';
import type { CommandFactory } from '../command.js';
import { REPORT_FILES, hostDirName, writeAnalysisJson, writeFleet, writeReportOutputs } from '../report-output.js';

/** `espy analyze`: evidence → analysis.json, the report and the exports. */

export const AnalyzeArgs = z.object({
  sources: z.array(z.string().min(1)).min(1),
  sqlExport: z.string().min(1).optional(),
  baseline: z.string().min(1).optional(),
  out: z.string().min(1),
  sigma: z.array(z.string().min(1)),
  yara: z.array(z.string().min(1)),
  trust: z.array(z.string().min(1)).optional(),
  sweep: z.enum(['smart', 'full', 'none']),
  noDefaultRules: z.boolean(),
  passwordEnv: z.string().min(1).optional(),
  identity: z.string().min(1).optional(),
});
export type AnalyzeArgs = z.infer<typeof AnalyzeArgs>;

interface RawAnalyze {
  sqlExport?: string;
  baseline?: string;
  out?: string;
  sigma?: string[];
  yara?: string[];
  trust?: string[];
  sweep?: string;
  defaultRules?: boolean;
  passwordEnv?: string;
  identity?: string;
}

/** Pure flag parsing (tests call it). */
export function parseAnalyzeArgs(sources: string[], raw: RawAnalyze): AnalyzeArgs {
  const r = AnalyzeArgs.safeParse({
    sources,
    ...(raw.sqlExport === undefined ? {} : { sqlExport: raw.sqlExport }),
    ...(raw.baseline === undefined ? {} : { baseline: raw.baseline }),
    out: raw.out ?? 'espy-out',
    sigma: raw.sigma ?? [],
    yara: raw.yara ?? [],
    ...(raw.trust?.length ? { trust: raw.trust } : {}),
    sweep: raw.sweep ?? 'smart',
    noDefaultRules: raw.defaultRules === false,
    ...(raw.passwordEnv === undefined ? {} : { passwordEnv: raw.passwordEnv }),
    ...(raw.identity === undefined ? {} : { identity: raw.identity }),
  });
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`analyze: invalid ${i?.path.join('.') || 'arguments'}: ${i?.message ?? ''}`);
  }
  return r.data;
}

/** A folder holding only espy bundles (`espy-*.zip`, sealed `espy-*.zip.age`) stands for all of them (fleet analysis). */
async function expandSources(cwd: string, sources: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of sources) {
    const p = resolve(cwd, s);
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new UsageError(`analyze: source not found: ${s}`);
    if (st.isDirectory()) {
      const names = await readdir(p);
      const bundles = names.filter((n) => /^espy-.*\.zip(\.age)?$/i.test(n)).sort();
      // A manifest.json beside bundles makes nothing a host: it would only hide the bundles.
      const looksLikeHost = names.some((n) => /^(windows|program files|programdata|c|uploads)$/i.test(n));
      if (bundles.length > 0 && !looksLikeHost) {
        for (const b of bundles) out.push(join(p, b));
        continue;
      }
    }
    out.push(p);
  }
  return out;
}

/** A source that cannot be opened as evidence: its exit code and one line (a damaged zip names its sidecar's verdict); other errors as they are. */
async function sourceError(e: unknown, src: string): Promise<unknown> {
  const sealed = sealError(e, 'analyze', src);
  if (sealed !== e) return sealed;
  if (e instanceof ZipFormatError) {
    if (e.code === 'NOT_ZIP') return new UsageError(`analyze: ${src} is not evidence espy reads (not a zip bundle or a folder)`);
    const v = await verifyBundle(src).catch(() => undefined);
    const side = v?.sidecar === 'mismatch' ? '; its SHA-256 does not match the .sha256 sidecar' : v?.sidecar === 'ok' ? '; the .sha256 sidecar matches (damaged before it was written)' : '';
    return new ExitError(EXIT.CHECK_FAILED, `analyze: ${src}: ${e.message}${side}`);
  }
  return e;
}

/** `--out` and `--sql-export` are checked before the analysis starts, not after it. */
async function checkPaths(args: AnalyzeArgs, cwd: string): Promise<void> {
  const out = await stat(resolve(cwd, args.out)).catch(() => undefined);
  if (out && !out.isDirectory()) throw new UsageError(`analyze: --out ${args.out} exists and is not a folder`);
  if (args.sqlExport !== undefined) {
    const sql = await stat(resolve(cwd, args.sqlExport)).catch(() => undefined);
    if (!sql) throw new UsageError(`analyze: --sql-export ${args.sqlExport}: no such file or folder`);
  }
}

const VERDICT_RANK: Record<Verdict, number> = { COMPROMISED: 0, SUSPICIOUS: 1, NO_INDICATORS: 2 };

export interface AnalyzeHostOutput {
  source: string;
  host: string;
  verdict: Verdict;
  reasons: string[];
  analysis: string;
  report: string;
  findings: AnalysisResult['findings'];
  errors: number;
}

/** Analyses each source (no files written): the results, in source order. */
export async function runAnalyzeResults(args: AnalyzeArgs, ctx: CliContext): Promise<AnalysisResult[]> {
  await checkPaths(args, ctx.cwd);
  const sources = await expandSources(ctx.cwd, args.sources);
  const setup = await prepareAnalysis(ctx, {
    sigma: args.sigma.map((s) => resolve(ctx.cwd, s)),
    yara: args.yara.map((s) => resolve(ctx.cwd, s)),
    trust: args.trust ?? [],
    ...(args.baseline ? { baseline: resolve(ctx.cwd, args.baseline) } : {}),
    noDefaultRules: args.noDefaultRules,
  });
  let password: Buffer | undefined;
  if (args.passwordEnv) {
    const v = ctx.env[args.passwordEnv];
    if (!v) throw new UsageError(`analyze: environment variable ${args.passwordEnv} is empty or not set`);
    password = Buffer.from(v, 'utf8');
  }
  const identities = await identitiesOf(args.identity, ctx.cwd, 'analyze');
  const results: AnalysisResult[] = [];
  const progress = ctx.newProgress();
  try {
    for (const [i, src] of sources.entries()) {
      if (ctx.signal.aborted) break;
      ctx.log.info(`analysing ${src}`);
      const evidence = await openEvidence(src, {
        ...(identities ? { identities } : {}),
        sweep: args.sweep,
        ...(args.sqlExport ? { sqlExport: resolve(ctx.cwd, args.sqlExport) } : {}),
        classify: sweepClassifier(setup.yara),
        readEvents: evtxEventReader,
        signal: ctx.signal,
        ...(password ? { password } : {}),
      }).catch(async (e: unknown) => {
        throw await sourceError(e, src);
      });
      try {
        const bundle = evidence.kind === 'bundle' ? (evidence as unknown as BundleEvidence) : undefined;
        const source: Partial<AnalysisResult['source']> = {};
        // The bundle's SHA-256 is computed from its bytes by the analysis (sidecar checked there).
        if (bundle && /\.zip(\.age)?$/i.test(src)) source.bundleName = basename(src);
        let phase = '';
        const result = await analyze(evidence, {
          ...setup.options,
          generatedAt: new Date().toISOString(),
          source,
          ...(bundle?.manifestSummary ? { collection: { log: (await bundle.collectionLog()).slice(0, 5000), manifest: bundle.manifestSummary } } : {}),
          onProgress: (p, done, total, label, unit) => {
            if (p !== phase) {
              progress.stop();
              progress.start(total, `${p} (${i + 1}/${sources.length})`, unit === 'bytes' ? 'bytes' : 'items');
              phase = p;
            }
            progress.update(done, label.length > 40 ? `…${label.slice(-39)}` : label);
          },
        });
        if (!password && result.errors.some((e) => e.code === 'NEEDS_PASSWORD')) {
          throw new UsageError(`analyze: ${src} is an encrypted bundle: give its password with --password-env VAR`);
        }
        const refused = bundle?.refused ?? [];
        if (refused.length > 0) {
          // Entries refused by the reader (unsafe names, past the entry limit) were not analysed.
          ctx.log.warn(
            `${src}: zip entries not read: ${refused
              .slice(0, 3)
              .map((r) => `${r.name} (${r.reason})`)
              .join('; ')}${refused.length > 3 ? `; and ${refused.length - 3} more` : ''}`,
          );
          ctx.markPartial(`${refused.length} zip entr${refused.length === 1 ? 'y' : 'ies'} of ${src} not read`);
        }
        results.push(result);
      } finally {
        progress.stop();
        await evidence.close();
      }
    }
  } finally {
    await setup.close();
  }
  return results;
}

/** Runs the command: one analysis per source, written with its report; several sources also get fleet.html. */
export async function runAnalyze(args: AnalyzeArgs, ctx: CliContext): Promise<{ verdict: Verdict; hosts: AnalyzeHostOutput[]; fleet?: string; findings: AnalysisResult['findings'] }> {
  const results = await runAnalyzeResults(args, ctx);
  const outDir = resolve(ctx.cwd, args.out);
  const hosts: AnalyzeHostOutput[] = [];
  const written: { result: AnalysisResult; reportPath: string }[] = [];
  for (const [i, result] of results.entries()) {
    const dir = results.length > 1 ? join(outDir, hostDirName(result.host.name, i + 1)) : outDir;
    await mkdir(dir, { recursive: true });
    const analysisPath = join(dir, REPORT_FILES.analysis);
    await writeAnalysisJson(analysisPath, result, ctx.signal);
    const { report } = await writeReportOutputs(result, dir, {
      generatedAt: result.generatedAt,
      ...(result.source.bundleName && result.source.bundleSha256 ? { bundle: { name: result.source.bundleName, sha256: result.source.bundleSha256 } } : {}),
    });
    if (result.errors.length > 0) ctx.markPartial(`${result.errors.length} input(s) of ${result.source.path} could not be read`);
    written.push({ result, reportPath: report });
    hosts.push({
      source: result.source.path,
      host: result.host.name,
      verdict: result.verdict.verdict,
      reasons: result.verdict.reasons,
      analysis: analysisPath,
      report,
      findings: result.findings,
      errors: result.errors.length,
    });
  }
  let fleet: string | undefined;
  if (written.length > 1) fleet = await writeFleet(written, outDir, { espyVersion: ctx.version });
  const worst = hosts.map((h) => h.verdict).sort((a, b) => VERDICT_RANK[a] - VERDICT_RANK[b])[0] ?? 'NO_INDICATORS';
  return { verdict: worst, hosts, findings: hosts.flatMap((h) => h.findings), ...(fleet ? { fleet } : {}) };
}

const BANNER: Record<Verdict, string> = {
  COMPROMISED: 'COMPROMISED: an ESP backdoor or equivalent evidence was found',
  SUSPICIOUS: 'SUSPICIOUS: findings need review',
  NO_INDICATORS: 'NO INDICATORS found in what could be checked',
};

export function printAnalyzeHuman(ctx: CliContext, out: Awaited<ReturnType<typeof runAnalyze>>): void {
  const paint = (code: string, s: string): string => (ctx.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const colour: Record<Verdict, string> = { COMPROMISED: '1;41;97', SUSPICIOUS: '1;43;30', NO_INDICATORS: '1;42;30' };
  const lines: string[] = [];
  for (const h of out.hosts) {
    lines.push(`${paint(colour[h.verdict], ` ${h.host}: ${BANNER[h.verdict]} `)}`);
    for (const r of h.reasons.slice(0, 5)) lines.push(`  - ${r}`);
    const top = h.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').slice(0, 8);
    if (top.length > 0) lines.push('  top findings:');
    for (const f of top) lines.push(`    [${f.severity}] ${f.title}${f.count > 1 ? ` (${f.count}×)` : ''}`);
    lines.push(`  findings: ${h.findings.length}${h.errors ? `; ${h.errors} input(s) could not be read (listed in the report)` : ''}`);
    lines.push(`  report:   ${h.report}`);
    lines.push(`  analysis: ${h.analysis}`);
  }
  if (out.fleet) lines.push(`fleet:    ${out.fleet}`);
  ctx.stdout.write(`${revealControls(lines.join('\n'))}\n`);
}

export const analyzeCommand: CommandFactory = (ctx) =>
  new Command('analyze')
    .description('analyse evidence (an espy bundle .zip or folder, a mounted image, a KAPE or Velociraptor collection, a sample host) and write analysis.json and the report')
    .argument('<source...>', 'bundle(s), folder(s), or a folder of bundles')
    .option('--sql-export <dir>', "folder of SQL exports of the server (output of 'espy sql-script', CSV/TSV/JSON)")
    .option('--baseline <file>', 'known-good ESP inventory (espy baseline create): flag every ESP not in it')
    .option('--out <dir>', 'output folder', 'espy-out')
    .option('--sigma <path>', 'extra Sigma rule file or folder (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--yara <path>', 'extra YARA rule file or folder (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--trust <file>', 'extra Authenticode trust anchor(s), PEM (repeatable; Microsoft roots are built in)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--no-default-rules', "use only the --sigma rules, not espy's pack")
    .option('--sweep <mode>', 'folder sources: DLL sweep smart|full|none (as collect would)', 'smart')
    .option('--password-env <var>', 'password of encrypted (AES-256) bundles, from environment variable VAR')
    .option('--identity <file>', IDENTITY_HELP)
    .action(async (sources: string[], raw: RawAnalyze) => {
      const c = ctx();
      const out = await runAnalyze(parseAnalyzeArgs(sources, raw), c);
      if (c.json) {
        const one = out.hosts.length === 1 ? out.hosts[0] : undefined;
        c.stdout.write(`${JSON.stringify(one ? { ...one, verdict: one.verdict } : { verdict: out.verdict, findings: out.findings, hosts: out.hosts, fleet: out.fleet })}\n`);
      } else printAnalyzeHuman(c, out);
    });
