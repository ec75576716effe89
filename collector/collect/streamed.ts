/**
 * The logs a collection hands to a parser while it copies them: the parser opens each one
 * (`open`, in the order it was promised) and gets the copy's bytes as they pass (a ByteTee),
 * so each log is read from the host once. A log the copy could not read is an open that fails
 * with the copy's reason.
 */
import type { EvidenceArtefact } from '../../detection/evidence.js';
import { windowsPathKey } from '../win-path.js';
import { ByteTee } from './tee.js';

interface Pending {
  tee?: ByteTee;
  settled?: boolean;
  promise: Promise<ByteTee>;
  resolve(t: ByteTee): void;
  reject(e: Error): void;
}

export class StreamedLogs {
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  /** The artefacts a parser will open, in copy order. */
  readonly artefacts: readonly EvidenceArtefact[];

  constructor(artefacts: readonly EvidenceArtefact[]) {
    this.artefacts = artefacts;
    for (const a of artefacts) {
      let resolve!: (t: ByteTee) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<ByteTee>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined);
      this.pending.set(windowsPathKey(a.originalPath), { promise, resolve, reject });
    }
  }

  /** The parser's side: the bytes of `a` as the copy streams them. */
  async open(a: EvidenceArtefact): Promise<ByteTee['source']> {
    const p = this.pending.get(windowsPathKey(a.originalPath));
    if (!p) throw new Error(`not streamed by this collection: ${a.originalPath}`);
    return (await p.promise).source;
  }

  /** The copy's side: a tee for a file a parser waits for (undefined for any other file). */
  attach(originalPath: string, size: number): ByteTee | undefined {
    const p = this.pending.get(windowsPathKey(originalPath));
    if (!p || p.tee || p.settled || this.closed) return undefined;
    p.tee = new ByteTee(size);
    p.resolve(p.tee);
    return p.tee;
  }

  /** The copy is done with this file: if it never streamed, the parser's open fails with `why`. */
  settle(originalPath: string, why: string): void {
    const p = this.pending.get(windowsPathKey(originalPath));
    if (p) settleEntry(p, why);
  }

  /** Every file not streamed yet fails (the copy phase ended: interrupted, or the files were skipped). */
  settleAll(why: string): void {
    for (const p of this.pending.values()) settleEntry(p, why);
  }

  /** The parser is done (finished, failed or interrupted): the copy never waits for it again. */
  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) void p.tee?.source.close();
    this.settleAll('the parser stopped');
  }
}

function settleEntry(p: Pending, why: string): void {
  if (p.tee || p.settled) return;
  p.settled = true;
  p.reject(new Error(why));
}
