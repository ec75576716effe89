import { setFlagsFromString } from 'node:v8';
import { CommanderError } from 'commander';
import { createContext, type CliContext, type GlobalOptions, type ProcessLike } from './context.js';
import { EXIT, ExitError, UsageError, type ExitCode } from './exit-codes.js';
import { buildProgram, loadCommands } from './program.js';
import { revealControls } from './terminal-text.js';
import { ESPY_VERSION } from './version.js';

/** Replaces the user's home and the working directory in stack traces. */
function redactPaths(text: string, proc: ProcessLike): string {
  let out = text;
  const home = proc.env.HOME ?? proc.env.USERPROFILE;
  if (home && home.length > 1) out = out.split(home).join('~');
  return out;
}

/**
 * Runs the CLI against a process-like object and returns the exit code. Never calls
 * process.exit (tests call this directly).
 */
export async function run(argv: readonly string[], proc: ProcessLike): Promise<ExitCode> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', onSigint);
  let ctx: CliContext | undefined;
  let close: (() => Promise<void>) | undefined;
  const program = buildProgram(
    () => {
      if (!ctx) throw new Error('context used before the command started');
      return ctx;
    },
    await loadCommands(argv),
    { writeOut: (s) => proc.stdout.write(s), writeErr: (s) => proc.stderr.write(s) },
  );
  program.hook('preAction', (thisCommand) => {
    const opts = thisCommand.opts<GlobalOptions>();
    const made = createContext(proc, opts, abort.signal, ESPY_VERSION);
    ctx = made.ctx;
    close = made.close;
  });
  try {
    await program.parseAsync([...argv]);
    if (abort.signal.aborted) return EXIT.INTERRUPTED;
    if (ctx && ctx.partialReasons.length > 0) return EXIT.PARTIAL;
    return EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        return EXIT.OK;
      }
      return EXIT.USAGE;
    }
    if (e instanceof UsageError) {
      proc.stderr.write(`espy: ${revealControls(e.message)}\n(run with --help for usage)\n`);
      return EXIT.USAGE;
    }
    if (e instanceof ExitError) {
      if (e.message) proc.stderr.write(`espy: ${revealControls(e.message)}\n`);
      return e.code;
    }
    if (abort.signal.aborted) {
      proc.stderr.write('espy: interrupted\n');
      return EXIT.INTERRUPTED;
    }
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    proc.stderr.write(
      `espy ${ESPY_VERSION}: internal error (a bug; please report it with this text)\n` +
        `${revealControls(redactPaths(stack, proc))}\n` +
        `node ${process.version} ${process.platform}-${process.arch}\n`,
    );
    return EXIT.INTERNAL;
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (close) await close();
  }
}

/** The process entry point (bin/espy.js, the executable). */
export async function main(argv: readonly string[]): Promise<void> {
  // V8 moves an allocation site's objects straight to the old generation once most of them
  // survive a young collection. A scan's objects live long for a few hundred ERRORLOG entries
  // and die at once for the millions of event records after them, yet the site stays
  // "tenured": every young collection then copies all that an old, already dead object still
  // points to. On a 1.3 GB host this cost 5 s of collection and 150 MB of heap; nothing espy
  // keeps gains from pretenuring.
  setFlagsFromString('--no-allocation-site-pretenuring');
  // `espy ... | head`: the reader went away; stop quietly, as Unix tools do.
  const onPipeError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  };
  process.stdout.on('error', onPipeError);
  const code = await run(argv, process);
  // Let stdout drain before exiting (large JSON outputs to a pipe).
  await new Promise<void>((resolve) => {
    if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => resolve());
    else resolve();
  });
  process.exit(code);
}
