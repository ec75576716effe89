import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { ESPY_VERSION } from './version.js';
import { evtxCommand } from './commands/evtx.js';
import { collectCommand } from './commands/collect.js';
import { verifyCommand } from './commands/verify.js';
import { huntCommand } from './commands/hunt.js';
import { scanCommand } from './commands/scan.js';
import { analyzeCommand } from './commands/analyze.js';
import { baselineCommand } from './commands/baseline.js';
import { sqlScriptCommand } from './commands/sql-script.js';

/** A command module's export: builds its commander Command; `ctx()` is valid inside actions. */
export type CommandFactory = (ctx: () => CliContext) => Command;

/**
 * Registered commands. Each issue adds its command here once it works (issue #2: none is
 * registered before it works).
 */
const COMMANDS: CommandFactory[] = [evtxCommand, collectCommand, verifyCommand, huntCommand, analyzeCommand, baselineCommand, scanCommand, sqlScriptCommand];

/** Builds the commander program with the global flags and every registered command. */
export function buildProgram(ctx: () => CliContext): Command {
  const program = new Command('espy')
    .description(
      'Incident-response triage for Microsoft SQL Server hosts suspected of an Extended Stored\n' +
        'Procedure (ESP) backdoor such as Maggie: collect, parse, detect, report.',
    )
    .version(ESPY_VERSION, '-V, --version', 'print the espy version')
    .addOption(new Option('--json', 'machine output (JSON) on stdout; human text on stderr'))
    .addOption(new Option('-q, --quiet', 'print only warnings and errors'))
    .addOption(new Option('--no-color', 'no colours (also honoured: NO_COLOR)'))
    .addOption(new Option('--log-file <file>', 'append a timestamped log of the run to FILE'))
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions(false)
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 internal error, 2 usage error, 3 finished but some inputs\n' +
        'could not be read, 4 check failed (verify found a mismatch), 130 interrupted.',
    );
  for (const make of COMMANDS) program.addCommand(make(ctx));
  return program;
}
