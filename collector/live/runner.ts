/**
 * Runs host commands (reg.exe, wevtutil, sqlcmd, powershell) behind an interface so tests
 * replay recorded outputs. Arguments are passed as an array (no shell), never a secret.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';

export interface CommandOutput {
  /** The program's own exit code; -1 when it never ran or ended without one (see `failure`). */
  code: number;
  stdout: Buffer;
  stderr: string;
  /** Why there is no exit code: `ENOENT` (not installed), `EACCES`, `NO_WORKING_FOLDER`, a signal (`SIGTERM` on timeout), ... */
  failure?: string;
}

export type CommandRunner = (cmd: string, args: readonly string[], opts?: { timeoutMs?: number }) => Promise<CommandOutput>;

/** Output cap per command (sqlcmd results can be large, not unbounded). */
export const MAX_COMMAND_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * The folder commands run in: the Windows folder (`%SystemRoot%` on Windows, `/` elsewhere),
 * never espy's own working folder, which may be gone or unreadable (a USB stick pulled, a
 * deleted temp folder) and would make every command fail to start. Not System32: Node looks
 * for a program in the working folder before PATH, so a working folder that holds programs
 * would decide which wevtutil or sqlcmd runs, whatever PATH says.
 */
export function commandCwd(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform !== 'win32') return '/';
  return env['SystemRoot'] ?? env['windir'] ?? 'C:\\Windows';
}

/** Whether `dir` is a folder that exists (the spawn error alone cannot tell a missing program from a missing folder). */
function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export const execRunner: CommandRunner = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    const cwd = commandCwd();
    execFile(cmd, [...args], { cwd, encoding: 'buffer', maxBuffer: MAX_COMMAND_OUTPUT_BYTES, timeout: opts.timeoutMs ?? 10 * 60_000, windowsHide: true }, (err, stdout, stderr) => {
      // A spawn failure carries a string code (ENOENT), a kill a signal: neither is an exit code.
      const raw = err ? (err as { code?: unknown; signal?: unknown }) : undefined;
      const code = !raw ? 0 : typeof raw.code === 'number' ? raw.code : -1;
      let failure = raw && typeof raw.code !== 'number' ? String(raw.code ?? raw.signal ?? 'error') : undefined;
      // ENOENT means "not installed" only when the folder it was started in exists.
      if (failure === 'ENOENT' && !isFolder(cwd)) failure = 'NO_WORKING_FOLDER';
      const text = (err && !stderr.length ? err.message : Buffer.from(stderr).toString('utf8')).slice(0, 4000);
      resolve({ code, stdout: Buffer.from(stdout), stderr: `${failure === 'NO_WORKING_FOLDER' ? `the system folder ${cwd} is missing; ` : ''}${text}`, ...(failure ? { failure } : {}) });
    });
  });
