import { spawnSync } from 'node:child_process';

/**
 * A tiny check harness for `npm run test:exe`: each check passes, fails (its error is printed)
 * or is skipped with a printed reason; the summary line is `N passed, N failed, N skipped`.
 */

export class Skip extends Error {
  override readonly name = 'Skip';
}

interface Result {
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
}

export class CheckRun {
  readonly results: Result[] = [];

  async check(name: string, fn: () => Promise<string | void> | string | void): Promise<boolean> {
    try {
      const detail = (await fn()) ?? '';
      this.record({ name, outcome: 'pass', detail });
      return true;
    } catch (e) {
      if (e instanceof Skip) this.record({ name, outcome: 'skip', detail: e.message });
      else this.record({ name, outcome: 'fail', detail: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      return false;
    }
  }

  private record(r: Result): void {
    this.results.push(r);
    const tag = r.outcome === 'pass' ? 'PASS' : r.outcome === 'fail' ? 'FAIL' : 'SKIP';
    process.stdout.write(`${tag}  ${r.name}${r.detail ? `\n      ${r.detail.split('\n').join('\n      ')}` : ''}\n`);
  }

  count(outcome: Result['outcome']): number {
    return this.results.filter((r) => r.outcome === outcome).length;
  }

  summary(): string {
    return `${this.count('pass')} passed, ${this.count('fail')} failed, ${this.count('skip')} skipped`;
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with a minimal environment (never the test runner's NODE_OPTIONS). */
export function runProgram(file: string, args: readonly string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): RunResult {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: opts.cwd, LANG: 'C.UTF-8', ...opts.env };
  const r = spawnSync(file, [...args], { cwd: opts.cwd, env, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`${file}: ${r.error.message}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function describeRun(r: RunResult): string {
  return `exit ${r.status ?? r.signal}; stderr: ${r.stderr.slice(0, 2000)}`;
}

/** Command names listed under "Commands:" in commander's help text. */
export function commandsInHelp(help: string): Set<string> {
  const lines = help.split('\n');
  const at = lines.indexOf('Commands:');
  const out = new Set<string>();
  if (at === -1) return out;
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') break;
    const m = /^ {2}([a-z][\w-]*)(?: \[| <| {2,}|$)/.exec(line);
    if (m?.[1]) out.add(m[1]);
  }
  return out;
}
