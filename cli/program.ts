import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { ESPY_VERSION } from './version.js';

/** A command module's export: builds its commander Command; `ctx()` is valid inside actions. */
export type CommandFactory = (ctx: () => CliContext) => Command;

/**
 * Registered commands, in help order, each loaded on demand: a run imports only the command
 * it runs (`espy evtx dump` does not load the collector, YARA, Sigma or the report), which
 * saves about half a second of start-up and 35 MB of memory. Help and errors load them all.
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

/**
 * The commands `argv` (process.argv: node, script, args...) needs: the named command alone,
 * or every command when none is named (help, version, a typo: commander lists them all).
 */
export async function loadCommands(argv: readonly string[]): Promise<CommandFactory[]> {
  const args = argv.slice(2);
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') break;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith('-')) {
      name = a;
      break;
    }
  }
  const one = COMMAND_LOADERS.find(([n]) => n === name);
  return Promise.all((one ? [one] : COMMAND_LOADERS).map(([, load]) => load()));
}

/** Builds the commander program with the global flags and the given commands (loadCommands). */
export function buildProgram(
  ctx: () => CliContext,
  commands: readonly CommandFactory[],
  output?: { writeOut(s: string): void; writeErr(s: string): void },
): Command {
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
  for (const make of commands) {
    const cmd = make(ctx);
    configure(cmd, 0);
    program.addCommand(cmd);
  }
  return program;
}
