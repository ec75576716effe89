/**
 * Runs host commands (reg.exe, wevtutil, sqlcmd, powershell) behind an interface so tests
 * replay recorded outputs. Arguments are passed as an array (no shell), never a secret.
 */
import { execFile } from 'node:child_process';

export interface CommandOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
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
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout: Buffer.from(stdout), stderr: (err && !stderr.length ? err.message : Buffer.from(stderr).toString('utf8')).slice(0, 4000) });
      },
    );
  });
