import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { workerEntry } from '../worker-entry.js';
import type { BatchStart } from '../../parsers/evtx/index.js';
import type { EventJson, EventSummary } from '../../parsers/common/event.js';
import { espEventDll } from '../esp/events.js';
import { DetectionDriver, loadRules, type RuleFile } from '../sigma/index.js';
import { scanBatch, type ChunkScan } from './chunk-scan.js';
import { analysisWants } from './event-prefilter.js';

/**
 * The EVTX parse of an analysis on a second thread. The main thread reads the file (or the
 * bytes a collection copies) in batches of chunks and transfers each batch here; this thread
 * parses it with the same rules and returns ChunkScans: the records some rule matches or
 * that name an ESP DLL, whole, and a tally of every record. The main thread matches those
 * again in file order, holding hits for the correlations, so correlations see every log as
 * they do on one thread.
 *
 * Starting a worker: parsers/common/worker-entry.ts (this module's file, the bundle, or the
 * SEA asset `scan-worker.cjs`).
 */
const SCAN_WORKER_MARK = 'espyScanWorker';

/** Asset name under which a SEA executable embeds the CommonJS bundle of this module. */
export const SCAN_WORKER_SEA_ASSET = 'scan-worker.cjs';

interface Job {
  id: number;
  bytes: Uint8Array;
  start: BatchStart;
}

type Reply = { id: number; scans: ChunkScan[] } | { id: number; error: string };

function serveIfMarked(): void {
  const data = workerData as Record<string, unknown> | null;
  if (isMainThread || !parentPort || typeof data !== 'object' || data === null || data[SCAN_WORKER_MARK] !== true) return;
  const port = parentPort;
  // Only an error's message leaves this thread, and damaged chunks throw thousands of them.
  Error.stackTraceLimit = 0;
  const rules = loadRules(data.ruleFiles as RuleFile[]).rules;
  const want = analysisWants(rules);
  // Most records the prefilter lets through match no rule (it knows only their channel and
  // EventID): the scan would drop them (scan-events.ts `keep`), so they are dropped here and
  // never cross to the main thread.
  const driver = new DetectionDriver<undefined>(rules);
  const keep = (event: EventJson, summary: EventSummary): boolean => driver.anyMatch(event) || espEventDll(event, summary) !== undefined;
  port.on('message', (job: Job) => {
    let reply: Reply;
    try {
      reply = { id: job.id, scans: scanBatch(job.bytes, job.start, want, keep) };
    } catch (e) {
      reply = { id: job.id, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}

/**
 * A worker's heap holds a batch of 16 chunks and their whole records: a few MB, but a record
 * recovered from chunk slack can resolve to megabytes (25 MB for one batch of real chunks).
 * The cap only stops a runaway; the main thread, which parses the logs when no worker can,
 * has none of its own.
 */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 1024 };

/** More parsing threads than this gain little: the main thread's matching becomes the limit. */
const MAX_WORKERS = 4;

/** One worker thread and the batches it has not answered yet. */
class Lane {
  readonly worker: Worker;
  readonly pending = new Map<number, { resolve: (s: ChunkScan[]) => void; reject: (e: Error) => void }>();

  constructor(worker: Worker, fail: (e: Error) => void) {
    this.worker = worker;
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('scans' in m) p.resolve(m.scans);
      else p.reject(new Error(`event log worker failed: ${m.error}`));
    });
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => fail(new Error(`event log worker exited with code ${code}`)));
  }
}

/**
 * Worker threads that parse batches of chunks, one batch each in turn. The main thread only
 * reads, matches and keeps, so every core parses: on two cores, two workers. The threads start
 * with the first batch: a log that turns out not to be EVTX (or a bomb of zeros) costs none.
 */
export class ScanWorkers {
  private readonly make: () => Worker;
  private readonly count: number;
  private started: Lane[] | undefined;
  private nextId = 0;
  private failed: Error | undefined;

  private constructor(make: () => Worker, count: number) {
    this.make = make;
    this.count = count;
  }

  /** Workers that prefilter with `ruleFiles`; undefined where no worker can be started (then parse here). */
  static start(ruleFiles: readonly RuleFile[], count = Math.min(MAX_WORKERS, availableParallelism())): ScanWorkers | undefined {
    const entry = workerEntry(SCAN_WORKER_SEA_ASSET, import.meta.url, typeof __filename === 'string' ? __filename : undefined);
    if (!entry) return undefined;
    const opts = { workerData: { [SCAN_WORKER_MARK]: true, ruleFiles }, resourceLimits: RESOURCE_LIMITS };
    return new ScanWorkers(() => ('code' in entry ? new Worker(entry.code, { ...opts, eval: true }) : new Worker(entry.file, opts)), Math.max(1, count));
  }

  private get lanes(): Lane[] {
    this.started ??= Array.from({ length: this.count }, () => new Lane(this.make(), (e) => this.fail(e)));
    return this.started;
  }

  /** Batches to keep in flight so that no worker waits for the next one. */
  get ahead(): number {
    return 2 * this.count;
  }

  /**
   * Parses a batch read at `start`. The worker gets a copy: a source may keep what it
   * returned (a zip entry's last read), and a transferred buffer is gone from every view.
   */
  parse(bytes: Uint8Array, start: BatchStart): Promise<ChunkScan[]> {
    if (this.failed) return Promise.reject(this.failed);
    const owned = new Uint8Array(bytes);
    const job: Job = { id: this.nextId++, bytes: owned, start };
    let lanes: Lane[];
    try {
      lanes = this.lanes;
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return Promise.reject(this.failed);
    }
    const lane = lanes[job.id % lanes.length] as Lane;
    return new Promise((resolve, reject) => {
      lane.pending.set(job.id, { resolve, reject });
      lane.worker.postMessage(job, [owned.buffer as ArrayBuffer]);
    });
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const lane of this.started ?? []) {
      for (const p of lane.pending.values()) p.reject(this.failed);
      lane.pending.clear();
    }
  }

  /** A worker failed or exited: the logs still to read are parsed on the main thread. */
  get broken(): boolean {
    return this.failed !== undefined;
  }

  async close(): Promise<void> {
    this.failed ??= new Error('event log workers closed');
    await Promise.all((this.started ?? []).map((l) => l.worker.terminate()));
  }
}

serveIfMarked();
