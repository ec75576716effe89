/** The one exit-code table (README "Exit codes"). Only cli/main.ts calls process.exit. */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** Internal error: a bug; stack and version are printed. */
  INTERNAL: 1,
  /** Usage error: bad flags or arguments. */
  USAGE: 2,
  /** Finished, but some inputs could not be read (partial success). */
  PARTIAL: 3,
  /** Finished, and the check failed (e.g. `verify` found altered or missing files). */
  CHECK_FAILED: 4,
  /** Interrupted (Ctrl-C); partial output is marked incomplete. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown by commands for bad flags or arguments → exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Thrown by commands to end with a specific exit code and message. */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  readonly code: ExitCode;
  constructor(code: ExitCode, message = '') {
    super(message);
    this.code = code;
  }
}
