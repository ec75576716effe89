import { lstat, readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { KNOWN_ESPS, classifyFile, type FileClassification } from '../../detection/esp/index.js';
import { createYaraEngine, YARA_LIMITS, type CompiledYara } from '../../detection/yara/index.js';
import { createAuthenticodeCache, readPeHeaders, type AuthenticodeSignature } from '../../parsers/pe/index.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { openFileSource } from '../file-source.js';
import type { CommandFactory } from '../command.js';
import { collectTrust, loadTrustAnchors } from '../trust-files.js';
import { findDriveRoot, hashFile, originalWindowsPath, readYaraRuleFiles, shippedYaraRules, walkInputs } from '../scan-files.js';
import { revealControls } from '../terminal-text.js';

/** `espy scan PATH... [--yara FILE|DIR]... [--json]`: classify DLLs, run YARA. */

/** Files larger than this are hashed and header-checked only (not read whole). */
export const DEFAULT_MAX_SCAN_BYTES = 256 * 1024 * 1024;

export const ScanArgs = z.object({
  paths: z.array(z.string().min(1)).min(1),
  yara: z.array(z.string().min(1)),
  trust: z.array(z.string().min(1)),
  builtinRules: z.boolean(),
  root: z.string().min(1).optional(),
  maxSize: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  json: z.boolean(),
});
export type ScanArgs = z.infer<typeof ScanArgs>;

/** Pure flag parsing (tests call it). */
export function parseScanArgs(paths: string[], raw: { yara?: string[]; trust?: string[]; builtinRules?: boolean; root?: string; maxSize?: string; timeout?: string }, json: boolean): ScanArgs {
  const r = ScanArgs.safeParse({
    paths,
    yara: raw.yara ?? [],
    trust: raw.trust ?? [],
    builtinRules: raw.builtinRules !== false,
    ...(raw.root ? { root: raw.root } : {}),
    maxSize: raw.maxSize === undefined ? DEFAULT_MAX_SCAN_BYTES : Number(raw.maxSize),
    timeoutMs: raw.timeout === undefined ? YARA_LIMITS.DEFAULT_YARA_TIMEOUT_MS : Number(raw.timeout) * 1000,
    json,
  });
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`scan: invalid ${i?.path.join('.') || 'arguments'}: ${i?.message ?? ''}`);
  }
  return r.data;
}

/** One output row: the classification plus the local file it came from. */
export type ScanRow = FileClassification & { file: string };

export interface ScanSummary {
  files: number;
  pe: number;
  /** Files that are not PE files: no suspicion is assessed for them. */
  notPe: number;
  esp: number;
  bySuspicion: Record<string, number>;
  skipped: number;
  ruleErrors: number;
}

/** MACB times of the file as this machine sees it (a mounted image keeps the host's times). */
async function fileTimes(file: string): Promise<{ created?: string; modified: string; accessed: string; changed: string }> {
  const st = await lstat(file);
  return {
    ...(st.birthtimeMs > 0 ? { created: st.birthtime.toISOString() } : {}),
    modified: st.mtime.toISOString(),
    accessed: st.atime.toISOString(),
    changed: st.ctime.toISOString(),
  };
}

async function classifyLarge(file: string, path: string, size: number, signal: AbortSignal): Promise<FileClassification> {
  const hashes = await hashFile(file, signal);
  const src = await openFileSource(file);
  let isPe = false;
  let why: string | undefined;
  try {
    await readPeHeaders(src);
    isPe = true;
  } catch (e) {
    why = (e as Error).message;
  } finally {
    await src.close();
  }
  return {
    path,
    size,
    ...hashes,
    isPe,
    ...(why ? { notPeReason: why } : {}),
    isEsp: false,
    espReasons: [],
    exports: [],
    procedures: [],
    imports: [],
    signed: false,
    signer: null,
    signature: { status: 'unsigned', microsoftSigned: false, claimsMicrosoft: false, description: 'not verified (larger than --max-size)', signer: null, signingTime: null },
    authenticode: null,
    company: null,
    version: null,
    location: 'unknown',
    suspicion: 'unknown',
    reasons: ['not classified: larger than --max-size'],
    yara: [],
    diagnostics: [`file of ${size} bytes > --max-size: hashed and header-checked only`],
  };
}

/** Walks the inputs, classifies every file, calls `emit` per file in path order. */
export async function runScan(args: ScanArgs, ctx: CliContext, emit: (row: ScanRow) => void): Promise<ScanSummary> {
  const inputs = args.paths.map((p) => resolve(ctx.cwd, p));
  const walked = await walkInputs(inputs);
  for (const [k, i] of inputs.entries()) if (walked.skipped.some((s) => s.path === i)) throw new UsageError(`scan: no such file or folder: ${args.paths[k] ?? i}`);
  for (const s of walked.skipped) {
    ctx.log.warn(`skipped ${s.path}: ${s.reason}`);
    ctx.markPartial(`unreadable: ${s.path}`);
  }

  const trust = await loadTrustAnchors(args.trust, ctx.cwd);
  const authenticodeCache = createAuthenticodeCache();
  const sources = [...(args.builtinRules ? shippedYaraRules().map((r) => ({ ...r, shipped: true })) : []), ...(await readYaraRuleFiles(args.yara, ctx.cwd))];
  const engine = sources.length ? createYaraEngine() : undefined;
  const summary: ScanSummary = { files: 0, pe: 0, notPe: 0, esp: 0, bySuspicion: {}, skipped: walked.skipped.length, ruleErrors: 0 };
  try {
    let yara: CompiledYara | undefined;
    if (engine) {
      yara = await engine.compile(sources);
      for (const e of yara.errors) ctx.log.warn(`YARA rule error: ${e.source}${e.line ? `:${e.line}` : ''}: ${e.message} (file not used)`);
      summary.ruleErrors = yara.errors.length;
      if (yara.errors.length) ctx.markPartial('YARA rule files with errors');
      ctx.log.info(`YARA: ${yara.rules.length} rule(s) from ${sources.length} file(s)`);
    }
    const rootFor = new Map<string, string | undefined>();
    const explicitRoot = args.root ? resolve(ctx.cwd, args.root) : undefined;
    const progress = ctx.newProgress();
    progress.start(walked.files.length, 'scan');
    for (const file of walked.files) {
      if (ctx.signal.aborted) break;
      const input = inputs.find((i) => file === i || file.startsWith(`${i}/`) || file.startsWith(`${i}\\`)) ?? file;
      if (!rootFor.has(input)) rootFor.set(input, explicitRoot ?? (await findDriveRoot(input)));
      const path = originalWindowsPath(file, rootFor.get(input), process.platform) ?? file;
      let row: FileClassification;
      try {
        const st = await openFileSource(file);
        const size = st.size;
        await st.close();
        if (size > args.maxSize) row = await classifyLarge(file, path, size, ctx.signal);
        else
          row = await classifyFile(
            { path, bytes: new Uint8Array(await readFile(file, { signal: ctx.signal })), times: await fileTimes(file) },
            { knownEsps: KNOWN_ESPS, trust, authenticodeCache, ...(yara ? { yara } : {}), yaraTimeoutMs: args.timeoutMs },
          );
      } catch (e) {
        if (ctx.signal.aborted) break;
        ctx.log.warn(`cannot read ${file}: ${(e as Error).message}`);
        ctx.markPartial(`unreadable: ${file}`);
        summary.skipped++;
        progress.increment();
        continue;
      }
      summary.files++;
      if (row.isEsp) summary.esp++;
      if (row.isPe) {
        summary.pe++;
        summary.bySuspicion[row.suspicion] = (summary.bySuspicion[row.suspicion] ?? 0) + 1;
      } else summary.notPe++;
      emit({ file: relative(ctx.cwd, file) || file, ...row });
      progress.increment();
    }
    progress.stop();
  } finally {
    await engine?.close();
  }
  return summary;
}

/** Authenticode lines: the verdict in words, then each signature with its chain and signing time. */
function signatureLines(r: ScanRow): string[] {
  const lines = [`  signature:  ${r.signature.status}${r.signature.microsoftSigned ? ' (Microsoft-signed)' : ''}: ${r.signature.description}`];
  const each = (s: AuthenticodeSignature, indent: string): void => {
    lines.push(
      `${indent}#${s.entry}${s.depth ? ` nested ${s.depth}` : ''} ${s.status}${s.digestAlgorithm ? ` ${s.digestAlgorithm}` : ''}: ${s.signer?.subject ?? '(no signer)'}${s.signingTime ? `, signed ${s.signingTime} (${s.signingTimeSource ?? '?'})` : ''}`,
    );
    if (s.status !== 'valid' && s.status !== 'untrusted') lines.push(`${indent}  ${s.reason}`);
    for (const c of s.chain.slice(1)) lines.push(`${indent}  <- ${c.subject} [${c.sha1}]${c.isAnchor ? ' (trust anchor)' : ''}`);
    for (const n of s.nested) each(n, `${indent}  `);
  };
  for (const s of r.authenticode?.signatures ?? []) each(s, '              ');
  return lines;
}

/** Human-readable block for one file. */
export function renderScanRow(r: ScanRow): string {
  if (!r.isPe) return `${r.path}\n  not a PE file (${r.size} bytes, sha256 ${r.sha256})${r.yara.length ? `\n  YARA: ${r.yara.map((h) => h.rule).join(', ')}` : ''}\n`;
  const lines = [`${r.path}  [${r.suspicion.toUpperCase()}]  ${r.isEsp ? `ESP DLL (${r.espReasons.join(', ')})` : r.isDll ? 'DLL, not an ESP' : 'PE, not an ESP'}  location: ${r.location}`];
  if (r.file !== r.path) lines.push(`  file:       ${r.file}`);
  lines.push(`  sha256:     ${r.sha256}  (${r.size} bytes, imphash ${r.imphash ?? '-'})`);
  if (r.isEsp) lines.push(`  procedures: ${r.procedures.join(', ') || '(none)'}`);
  lines.push(...signatureLines(r), `  company:    ${r.company ?? '-'}`);
  for (const h of r.yara)
    lines.push(
      `  YARA:       ${h.rule} (${h.source}) ${h.strings
        .slice(0, 6)
        .map((s) => `${s.id}@0x${s.offset.toString(16)}`)
        .join(' ')}${h.strings.length > 6 ? ' ...' : ''}`,
    );
  if (r.suspicion !== 'benign' || r.isEsp) for (const why of r.reasons) lines.push(`  - ${why}`);
  for (const d of r.diagnostics.slice(0, 5)) lines.push(`  ! ${d}`);
  return `${lines.join('\n')}\n`;
}

export const scanCommand: CommandFactory = (ctx) =>
  new Command('scan')
    .description('classify files (PE, ESP DLL, location, signer, suspicion) and run YARA rules over them')
    .argument('<path...>', 'files or folders (a folder laid out like a system drive gives original C:\\ paths)')
    .addOption(new Option('--yara <file|dir>', 'extra YARA rule file or folder (repeatable)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]))
    .addOption(new Option('--trust <file>', 'extra Authenticode trust anchor(s), PEM (repeatable; Microsoft roots are built in)').argParser(collectTrust))
    .addOption(new Option('--no-builtin-rules', "do not load espy's own rules/yara"))
    .addOption(new Option('--root <dir>', 'the folder that stands for C:\\ (default: found from Windows/, Program Files/, ProgramData/, Users/)'))
    .addOption(new Option('--max-size <bytes>', `files larger than this are hashed and header-checked only (default ${DEFAULT_MAX_SCAN_BYTES})`))
    .addOption(new Option('--timeout <seconds>', `YARA time budget per file (default ${YARA_LIMITS.DEFAULT_YARA_TIMEOUT_MS / 1000})`))
    .action(async (paths: string[], raw: { yara?: string[]; trust?: string[]; builtinRules?: boolean; root?: string; maxSize?: string; timeout?: string }) => {
      const c = ctx();
      const args = parseScanArgs(paths, raw, c.json);
      const summary = await runScan(args, c, (row) => c.stdout.write(args.json ? `${JSON.stringify(row)}\n` : revealControls(renderScanRow(row))));
      const sus = Object.entries(summary.bySuspicion)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
      c.log.info(
        `scanned ${summary.files} file(s): ${summary.pe} PE, ${summary.esp} ESP DLL(s)${sus ? ` (${sus})` : ''}${summary.notPe ? `; ${summary.notPe} not a PE file` : ''}${summary.skipped ? `; ${summary.skipped} unreadable` : ''}`,
      );
    });
