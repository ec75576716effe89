import { PassThrough } from 'node:stream';
import { run } from '../../cli/main.js';
import { REPO_ROOT } from './paths.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the espy CLI in-process with captured stdout/stderr (not a TTY). */
export async function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  err.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const proc = {
    cwd: () => opts.cwd ?? REPO_ROOT,
    env: { ...opts.env },
    argv: ['node', 'espy', ...args],
    stdout: out as unknown as NodeJS.WriteStream,
    stderr: err as unknown as NodeJS.WriteStream,
  };
  const code = await run(proc.argv, proc);
  out.end();
  err.end();
  await new Promise((r) => setImmediate(r));
  return { code, stdout, stderr };
}
