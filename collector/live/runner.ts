/**
 * Runs host commands (reg.exe, wevtutil, sqlcmd, powershell) behind an interface so tests
 * replay recorded outputs. Arguments are passed as an array (no shell), never a secret.
 */
import { execFile } from 'node:child_process';

export interface CommandOutput {
  /** The program's own exit code; -1 when it never ran or ended without one (see `failure`). */
  code: number;
  stdout: Buffer;
  stderr: string;
  /** Why there is no exit code: `ENOENT` (not installed), `EACCES`, a signal (`SIGTERM` on timeout), ... */
  failure?: string;
}

export type CommandRunner = (cmd: string, args: readonly string[], opts?: { timeoutMs?: number }) => Promise<CommandOutput>;

/** Output cap per command (sqlcmd results can be large, not unbounded). */
export const MAX_COMMAND_OUTPUT_BYTES = 256 * 1024 * 1024;

export const execRunner: CommandRunner = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    execFile(
      cmd,
      [...args],
      { encoding: 'buffer', maxBuffer: MAX_COMMAND_OUTPUT_BYTES, timeout: opts.timeoutMs ?? 10 * 60_000, windowsHide: true },
      (err, stdout, stderr) => {
        // A spawn failure carries a string code (ENOENT), a kill a signal: neither is an exit code.
        const raw = err ? (err as { code?: unknown; signal?: unknown }) : undefined;
        const code = !raw ? 0 : typeof raw.code === 'number' ? raw.code : -1;
        const failure = raw && typeof raw.code !== 'number' ? String(raw.code ?? raw.signal ?? 'error') : undefined;
        const text = (err && !stderr.length ? err.message : Buffer.from(stderr).toString('utf8')).slice(0, 4000);
        resolve({ code, stdout: Buffer.from(stdout), stderr: text, ...(failure ? { failure } : {}) });
      },
    );
  });
