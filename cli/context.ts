import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import { UsageError } from './exit-codes.js';
import { revealControls } from './terminal-text.js';

/** Loaded on the first progress bar: `espy --help` and non-terminal runs never need it. */
const requireCjs = createRequire(import.meta.url);
function loadCliProgress(): typeof cliProgressModule {
  return requireCjs('cli-progress') as typeof cliProgressModule;
}

/** Where human-readable messages go: stderr (and --log-file). */
export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** INFO in the --log-file only: detail that would flood the terminal (every file collected). */
  detail(msg: string): void;
  debug(msg: string): void;
}

/** What a progress bar counts: items (files, rules) or bytes (shown as MiB/GiB, ETA from the byte rate). */
export type ProgressUnit = 'items' | 'bytes';

/** A progress display for one phase of long work. A no-op off a TTY or with --json/--quiet. */
export interface Progress {
  start(total: number, label: string, unit?: ProgressUnit): void;
  update(value: number, label?: string): void;
  increment(by?: number, label?: string): void;
  stop(): void;
}

/** Everything a command needs from the process, passed explicitly. */
export interface CliContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  argv: readonly string[];
  signal: AbortSignal;
  json: boolean;
  quiet: boolean;
  color: boolean;
  log: Log;
  /** Machine output (JSON with --json, tables otherwise). */
  stdout: Writable;
  stderr: Writable;
  isTTY: boolean;
  newProgress(): Progress;
  /** Set by commands that finished but could not read some inputs (→ exit 3). */
  markPartial(reason: string): void;
  readonly partialReasons: string[];
  version: string;
  startedAt: Date;
}

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  logFile?: string;
}

const NO_PROGRESS: Progress = { start() {}, update() {}, increment() {}, stop() {} };

/** `1.3 GiB`, `72.0 MiB`, `512 KiB`, `10 B`: for byte progress. */
export function formatProgressBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

function ttyProgress(stream: NodeJS.WriteStream, color: boolean): Progress {
  let bar: cliProgressModule.SingleBar | undefined;
  return {
    start(total, label, unit = 'items') {
      const cliProgress = loadCliProgress();
      bar = new cliProgress.SingleBar(
        {
          stream,
          ...(unit === 'bytes' ? { formatValue: (v: number, _o: unknown, type: string) => (type === 'value' || type === 'total' ? formatProgressBytes(v) : String(v)) } : {}),
          format: `${color ? '\u001b[36m' : ''}{label}${color ? '\u001b[0m' : ''} [{bar}] {percentage}% {value}/{total} ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { label });
    },
    update(value, label) {
      bar?.update(value, label === undefined ? {} : { label });
    },
    increment(by = 1, label) {
      bar?.increment(by, label === undefined ? {} : { label });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

export interface ProcessLike {
  cwd(): string;
  env: NodeJS.ProcessEnv;
  argv: string[];
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Builds the context from the real process and the parsed global flags. */
export function createContext(proc: ProcessLike, opts: GlobalOptions, signal: AbortSignal, version: string): { ctx: CliContext; close: () => Promise<void> } {
  const env = proc.env;
  const color = opts.color !== false && env.NO_COLOR === undefined && Boolean(proc.stderr.isTTY);
  const json = Boolean(opts.json);
  const quiet = Boolean(opts.quiet);
  let logFile: WriteStream | undefined;
  if (opts.logFile) {
    let fd: number;
    try {
      fd = openSync(opts.logFile, 'a');
    } catch (e) {
      throw new UsageError(`--log-file ${opts.logFile}: cannot open: ${(e as Error).message}`);
    }
    logFile = createWriteStream(opts.logFile, { fd });
    // A log that cannot be written later (disk full) is reported once, never a crash.
    logFile.once('error', (e) => proc.stderr.write(`espy: warning: --log-file ${opts.logFile}: ${e.message}\n`));
  }
  const paint = (code: string, s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const write = (level: string, raw: string, show: boolean): void => {
    const msg = revealControls(raw);
    logFile?.write(`${new Date().toISOString()} ${level} ${msg}\n`);
    if (!show) return;
    const prefix = level === 'WARN' ? paint('33', 'warning: ') : level === 'ERROR' ? paint('31', 'error: ') : '';
    proc.stderr.write(`${prefix}${msg}\n`);
  };
  const partialReasons: string[] = [];
  const isTTY = Boolean(proc.stdout.isTTY) && Boolean(proc.stderr.isTTY);
  const ctx: CliContext = {
    cwd: proc.cwd(),
    env,
    argv: proc.argv,
    signal,
    json,
    quiet,
    color,
    log: {
      info: (m) => write('INFO', m, !quiet),
      warn: (m) => write('WARN', m, true),
      error: (m) => write('ERROR', m, true),
      detail: (m) => write('INFO', m, false),
      debug: (m) => write('DEBUG', m, false),
    },
    stdout: proc.stdout,
    stderr: proc.stderr,
    isTTY,
    newProgress: () => (isTTY && !json && !quiet ? ttyProgress(proc.stderr, color) : NO_PROGRESS),
    markPartial(reason) {
      partialReasons.push(reason);
    },
    partialReasons,
    version,
    startedAt: new Date(),
  };
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (!logFile || logFile.destroyed) return resolve();
      logFile.end(() => resolve());
    });
  return { ctx, close };
}
