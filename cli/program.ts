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
const COMMANDS: CommandFactory[] = [collectCommand, analyzeCommand, verifyCommand, huntCommand, scanCommand, evtxCommand, baselineCommand, sqlScriptCommand];

/** Builds the commander program with the global flags and every registered command. */
export function buildProgram(ctx: () => CliContext, output?: { writeOut(s: string): void; writeErr(s: string): void }): Command {
  const program = new Command('espy')
    .description(
      'Incident-response triage for Microsoft SQL Server hosts suspected of an Extended Stored ' +
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
  // Set before the commands are built and added: commander copies these settings into a
  // subcommand only when it is created from or added to a configured parent, so every
  // command throws (→ exit 2 from run()) instead of exiting the process itself.
  program.exitOverride();
  if (output) program.configureOutput(output);
  const configure = (cmd: Command, depth: number): void => {
    cmd.exitOverride();
    if (output) cmd.configureOutput(output);
    if (depth < 4) for (const sub of cmd.commands) configure(sub, depth + 1);
  };
  for (const make of COMMANDS) {
    const cmd = make(ctx);
    configure(cmd, 0);
    program.addCommand(cmd);
  }
  return program;
}
