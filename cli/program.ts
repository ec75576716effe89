import { Command, Help, Option } from 'commander';
import { COMMAND_SUMMARIES, type CommandFactory } from './command.js';
import type { CliContext } from './context.js';
import { ESPY_VERSION } from './version.js';

/**
 * Registered commands, in help order, each loaded on demand: a run imports only the command
 * it runs (`espy evtx dump` does not load the collector, YARA, Sigma or the report), which
 * saves about half a second of start-up and 35 MB of memory. The top-level help and
 * `--version` load none (their summaries are in command.ts).
 */
const COMMAND_LOADERS: readonly (readonly [string, () => Promise<CommandFactory>])[] = [
  ['collect', async () => (await import('./commands/collect.js')).collectCommand],
  ['analyze', async () => (await import('./commands/analyze.js')).analyzeCommand],
  ['verify', async () => (await import('./commands/verify.js')).verifyCommand],
  ['keygen', async () => (await import('./commands/keygen.js')).keygenCommand],
  ['hunt', async () => (await import('./commands/hunt.js')).huntCommand],
  ['scan', async () => (await import('./commands/scan.js')).scanCommand],
  ['evtx', async () => (await import('./commands/evtx.js')).evtxCommand],
  ['baseline', async () => (await import('./commands/baseline.js')).baselineCommand],
  ['sql-script', async () => (await import('./commands/sql-script.js')).sqlScriptCommand],
];

/** Global options that take a value (skipped when looking for the command name). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--log-file']);

/** The first operand of `args` (the command name), skipping global options and their values. */
function firstOperand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') return undefined;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/**
 * A placeholder with a command's name and description only: what the top-level help, the
 * version and commander's "unknown command (did you mean ...?)" need. It is never run: a
 * command named on the command line is always the real one.
 */
function summaryCommand(s: (typeof COMMAND_SUMMARIES)[number]): CommandFactory {
  return () => new Command(s.name).description(s.description);
}

/**
 * The commands `argv` (process.argv: node, script, args...) needs: the named command alone
 * (also for `espy help NAME`), or the summaries of every command when none is named (help,
 * version, a typo: commander lists them all).
 */
export async function loadCommands(argv: readonly string[]): Promise<CommandFactory[]> {
  const args = argv.slice(2);
  let name = firstOperand(args);
  if (name === 'help') name = firstOperand(args.slice(args.indexOf('help') + 1));
  const one = COMMAND_LOADERS.find(([n]) => n === name);
  if (one) return [await one[1]()];
  return COMMAND_SUMMARIES.map(summaryCommand);
}

/** Builds the commander program with the global flags and the given commands (loadCommands). */
export function buildProgram(ctx: () => CliContext, commands: readonly CommandFactory[], output?: { writeOut(s: string): void; writeErr(s: string): void }): Command {
  const program = new Command('espy')
    .description('Incident-response triage for Microsoft SQL Server hosts suspected of an Extended Stored ' + 'Procedure (ESP) backdoor such as Maggie: collect, parse, detect, report.')
    .version(ESPY_VERSION, '-V, --version', 'print the espy version')
    .addOption(new Option('--json', 'machine output (JSON) on stdout; human text on stderr'))
    .addOption(new Option('-q, --quiet', 'print only warnings and errors'))
    .addOption(new Option('--no-color', 'no colours (also honoured: NO_COLOR)'))
    .addOption(new Option('--log-file <file>', 'append a timestamped log of the run to FILE'))
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions(false)
    .addHelpText('after', '\nExit codes: 0 success, 1 internal error, 2 usage error, 3 finished but some inputs\n' + 'could not be read, 4 check failed (verify found a mismatch), 130 interrupted.');
  // Set before the commands are built and added: commander copies these settings into a
  // subcommand only when it is created from or added to a configured parent, so every
  // command throws (→ exit 2 from run()) instead of exiting the process itself.
  program.exitOverride();
  if (output) program.configureOutput(output);
  // The usage of each command in the list, from the summaries (placeholders have no options).
  const terms = new Map(COMMAND_SUMMARIES.map((s) => [s.name, s.term]));
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? standard.subcommandTerm(cmd) });
  const configure = (cmd: Command, depth: number): void => {
    cmd.exitOverride();
    if (output) cmd.configureOutput(output);
    if (depth < 4) for (const sub of cmd.commands) configure(sub, depth + 1);
  };
  for (const make of commands) {
    const cmd = make(ctx);
    configure(cmd, 0);
    program.addCommand(cmd);
  }
  return program;
}
