import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { revealControls } from '../terminal-text.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { DEFAULT_COMPRESSION_LEVEL, parseCollectArgs, type RawCollect } from '../collect-args.js';

export { DEFAULT_COMPRESSION_LEVEL, parseCollectArgs, parseSize, type CollectArgs } from '../collect-args.js';
import type { CommandFactory } from '../command.js';

/**
 * `espy collect`: its flags, parsed and checked (`parseCollectArgs`), and what it prints.
 * The run itself, from the flags to the report, is cli/collect-run.ts.
 */

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
