/**
 * The diagnostics and errors of one ERRORLOG, each list capped (MAX_DIAGNOSTICS, MAX_ERRORS):
 * past the cap one summary line counts the rest, so a hostile file cannot grow them unbounded.
 */
import { MAX_DIAGNOSTICS, MAX_ERRORS } from './limits.js';
import type { ErrorlogDiagnostic, ErrorlogDiagnosticCode, ErrorlogError } from './types.js';

export class Findings {
  readonly diagnostics: ErrorlogDiagnostic[] = [];
  readonly errors: ErrorlogError[] = [];
  private droppedDiagnostics = 0;
  private droppedErrors = 0;

  diag(code: ErrorlogDiagnosticCode, line: number, offset: number, message: string): void {
    if (this.diagnostics.length < MAX_DIAGNOSTICS) this.diagnostics.push({ code, line, offset, message });
    else this.droppedDiagnostics++;
  }

  error(code: ErrorlogError['code'], line: number, offset: number, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ code, line, offset, message });
    else this.droppedErrors++;
  }

  /** Appends diagnostics kept aside (in their order), and `dropped` more that were only counted. */
  replay(kept: readonly ErrorlogDiagnostic[], dropped: number): void {
    for (const d of kept) this.diag(d.code, d.line, d.offset, d.message);
    this.droppedDiagnostics += dropped;
  }

  /** Appends another list's diagnostics and errors after these (caps and counts kept). */
  replayAll(other: Findings): void {
    this.replay(other.diagnostics, other.droppedDiagnostics);
    for (const e of other.errors) this.error(e.code, e.line, e.offset, e.message);
    this.droppedErrors += other.droppedErrors;
  }

  finish(): void {
    if (this.droppedDiagnostics > 0) {
      this.diagnostics.push({
        code: 'TOO_MANY_DIAGNOSTICS',
        line: 0,
        offset: 0,
        message: `${this.droppedDiagnostics} more diagnostics not listed (MAX_DIAGNOSTICS = ${MAX_DIAGNOSTICS})`,
      });
    }
    if (this.droppedErrors > 0) {
      this.errors.push({ code: 'TOO_MANY_ERRORS', line: 0, offset: 0, message: `${this.droppedErrors} more errors not listed (MAX_ERRORS = ${MAX_ERRORS})` });
    }
  }
}
