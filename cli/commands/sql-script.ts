import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SQLCMD_COMMAND_LINE, SQLCMD_SEPARATOR, TRIAGE_SECTIONS, TRIAGE_SQL, TRIAGE_SQL_VERSION } from '../../collector/sql/triage-sql.js';
import { UsageError } from '../exit-codes.js';
import type { CommandFactory } from '../command.js';

/** `espy sql-script [--out FILE]`: prints espy's read-only triage T-SQL. */

export const SqlScriptArgs = z.object({ out: z.string().min(1).optional() });
export type SqlScriptArgs = z.infer<typeof SqlScriptArgs>;

/** Pure flag validation (tests call it). */
export function parseSqlScriptArgs(raw: { out?: string }): SqlScriptArgs {
  const r = SqlScriptArgs.safeParse(raw.out === undefined ? {} : { out: raw.out });
  if (!r.success) throw new UsageError(`sql-script: invalid --out: ${r.error.issues[0]?.message ?? ''}`);
  return r.data;
}

export const sqlScriptCommand: CommandFactory = (ctx) =>
  new Command('sql-script')
    .description("print espy's read-only triage T-SQL (SQL Server 2008 R2 to 2022) to run on the host")
    .addHelpText('after', `\nRun it on the SQL Server host with\n  ${SQLCMD_COMMAND_LINE}\nand pass the output to \`espy analyze --sql-export DIR\`.`)
    .option('--out <file>', 'write the script to FILE instead of stdout')
    // Subcommands do not inherit the root's exitOverride (it is set after they are added in
    // cli/main.ts): without this, a bad flag here would end the process with commander's own
    // exit code 1 instead of throwing to run() for exit 2.
    .exitOverride()
    .action(async (raw: { out?: string }) => {
      const c = ctx();
      const args = parseSqlScriptArgs(raw);
      const meta = {
        version: TRIAGE_SQL_VERSION,
        separator: SQLCMD_SEPARATOR,
        commandLine: SQLCMD_COMMAND_LINE,
        sections: TRIAGE_SECTIONS.map((s) => ({ label: s.label, title: s.title, columns: [...s.columns] })),
      };
      if (args.out !== undefined) {
        const path = resolve(c.cwd, args.out);
        await writeFile(path, TRIAGE_SQL, 'utf8');
        c.log.info(`wrote ${path} (${TRIAGE_SECTIONS.length} sections); run it on the SQL Server host with:\n  ${SQLCMD_COMMAND_LINE}`);
        if (c.json) c.stdout.write(`${JSON.stringify({ file: path, bytes: Buffer.byteLength(TRIAGE_SQL), ...meta })}\n`);
        return;
      }
      if (c.json) c.stdout.write(`${JSON.stringify({ script: TRIAGE_SQL, ...meta })}\n`);
      else c.stdout.write(TRIAGE_SQL);
    });
