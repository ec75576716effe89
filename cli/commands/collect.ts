import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { CliContext } from '../context.js';
import { revealControls } from '../terminal-text.js';
import { EXIT, ExitError, UsageError } from '../exit-codes.js';
import type { CommandFactory } from '../program.js';

/**
 * `espy collect`: its flags, parsed and checked (`parseCollectArgs`), and what it prints.
 * The run itself, from the flags to the report, is cli/collect-run.ts.
 */

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
      // Loaded only when the command runs: `espy --help` stays fast.
      const { makeCollectAnalysis } = await import('../collect-pipeline.js');
      const { runCollect } = await import('../collect-run.js');
      const pipeline = await makeCollectAnalysis(c, { ...(args.baseline ? { baseline: resolve(c.cwd, args.baseline) } : {}), trust: args.trust ?? [] });
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
