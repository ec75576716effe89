import { FormatError, describeError } from '../common/errors.js';
import type { PeDiagnostic } from './types.js';

/** Runs a sub-parser; a FormatError becomes a diagnostic and `fallback` is returned. Bugs still throw. */
export function guarded<T>(diagnostics: PeDiagnostic[], what: string, fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    diagnostics.push({ code: e.code, what: `${what}: ${e.what}`, offset: e.offset, message: describeError(e) });
    return fallback;
  }
}

export function anomaly(diagnostics: PeDiagnostic[], what: string, offset: number, message: string): void {
  diagnostics.push({ code: 'ANOMALY', what, offset, message });
}
