import { Worker } from 'node:worker_threads';
import { IDLE_RETIRE_MS, MAX_RUNS_PER_WORKER } from './limits.js';
import { YARA_WORKER_SOURCE } from './worker-source.js';

export interface RunReply {
  errors: { line: number; message: string; warning: boolean }[];
  matches: { rule: string; strings: { id: string; offset: number }[] }[];
}

type Outcome = { ok: true; reply: RunReply } | { ok: false; timedOut: boolean; message: string };

/**
 * One libyara-wasm worker thread at a time, replaced after MAX_RUNS_PER_WORKER runs, after a
 * timeout (terminated mid-scan) and after a crash. Runs are queued: one at a time. A worker
 * idle for IDLE_RETIRE_MS is ended (its wasm heap is ~90 MB before any leak): the engine
 * holds no memory while the logs are read or the report is written; the next run starts one.
 */
export class YaraWorker {
  private worker: Worker | undefined;
  private runs = 0;
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly factorySource: string;
  private readonly maxRuns: number;
  /** Workers started so far (tests check the recycling). */
  workersStarted = 0;

  constructor(factorySource: string, maxRuns = MAX_RUNS_PER_WORKER) {
    this.factorySource = factorySource;
    this.maxRuns = maxRuns;
  }

  run(bytes: Uint8Array, rules: string, timeoutMs: number): Promise<Outcome> {
    clearTimeout(this.idleTimer);
    this.pending++;
    const next = this.queue.then(() => this.runNow(bytes, rules, timeoutMs));
    this.queue = next
      .catch(() => undefined)
      .finally(() => {
        if (--this.pending === 0) this.idleTimer = setTimeout(() => void this.retire(), IDLE_RETIRE_MS).unref();
      });
    return next;
  }

  private spawn(): Worker {
    const w = new Worker(YARA_WORKER_SOURCE, { eval: true, workerData: { factorySource: this.factorySource } });
    w.unref();
    this.workersStarted++;
    this.runs = 0;
    return w;
  }

  private async retire(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private async runNow(bytes: Uint8Array, rules: string, timeoutMs: number): Promise<Outcome> {
    if (this.worker && this.runs >= this.maxRuns) await this.retire();
    const w = (this.worker ??= this.spawn());
    this.runs++;
    const id = this.nextId++;
    // The worker gets its own copy (transferred), so the caller's buffer stays intact. A
    // Buffer's slice() is a view, not a copy: the Uint8Array constructor always copies.
    const copy = new Uint8Array(bytes);
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (o: Outcome, kill: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        if (kill) void this.retire().then(() => resolve(o));
        else resolve(o);
      };
      const onMessage = (m: { id: number; ok: boolean; message?: string } & RunReply): void => {
        if (m.id !== id) return;
        finish(m.ok ? { ok: true, reply: { errors: m.errors, matches: m.matches } } : { ok: false, timedOut: false, message: m.message ?? 'worker error' }, !m.ok);
      };
      const onError = (e: Error): void => finish({ ok: false, timedOut: false, message: `YARA worker crashed: ${e.message}` }, true);
      const onExit = (code: number): void => finish({ ok: false, timedOut: false, message: `YARA worker exited (${code})` }, true);
      const timer = setTimeout(() => finish({ ok: false, timedOut: true, message: `YARA scan timed out after ${timeoutMs} ms` }, true), timeoutMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ id, bytes: copy, rules }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await this.queue;
    clearTimeout(this.idleTimer);
    await this.retire();
  }
}
