/**
 * Writes an evidence bundle zip. The zip is written to `<name>.zip.partial` and renamed only
 * when it is complete, so no half-written file ever poses as a bundle. Every entry is hashed
 * while it streams in; the zip itself is hashed while it is written (no second read).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { HashTee, sha256Hex, type Digests } from './hashing.js';
import { sealHeader } from './seal/header.js';
import { SealTransform } from './seal/stream.js';
import { createZipArchive, type ZipArchiveStream } from './zip-archive.js';

/** The bundle could not be written (unwritable folder, full disk): a clear, final error. */
export class BundleWriteError extends Error {
  override readonly name = 'BundleWriteError';
  /** The `.partial` file kept when writing failed part-way (what was written is never deleted). */
  partialPath?: string;
}

export interface StreamResult extends Digests {
  /** The source failed part-way: the entry holds the bytes read before the error. */
  readError?: string;
}

export interface BundleWriterOptions {
  outDir: string;
  /** File name without `.zip`, e.g. `espy-SQL01-20240102T030405Z`. */
  name: string;
  password?: Buffer;
  /** Seal the zip as an age file for these `age1...` recipients (`<name>.zip.age`). */
  recipients?: readonly string[];
  /** zlib level, 0..9. */
  level?: number;
}

export class BundleWriter {
  readonly partialPath: string;
  private readonly archive: ZipArchiveStream;
  private readonly out: WriteStream;
  private readonly zipHash = createHash('sha256');
  private written = 0;
  /** `.age` when sealed: appended to the final name. */
  private readonly suffix: string;
  private failure: Error | undefined;
  private closed: Promise<void>;
  private pending = new Map<string, () => void>();

  private constructor(partialPath: string, archive: ZipArchiveStream, out: WriteStream, seal?: SealTransform) {
    this.partialPath = partialPath;
    this.suffix = seal ? '.age' : '';
    this.archive = archive;
    this.out = out;
    const zipHash = this.zipHash;
    const hasher = new Transform({
      transform: (chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) => {
        zipHash.update(chunk);
        this.written += chunk.length;
        cb(null, chunk);
      },
    });
    this.closed = new Promise<void>((resolve) => {
      out.on('close', () => resolve());
      out.on('error', (e) => {
        this.fail(e);
        resolve();
      });
    });
    archive.on('error', (e) => this.fail(e));
    archive.on('warning', (e) => this.fail(e));
    archive.on('entry', (e) => {
      const done = this.pending.get(e.name);
      if (done) {
        this.pending.delete(e.name);
        done();
      }
    });
    if (seal) {
      seal.on('error', (e) => this.fail(e));
      archive.pipe(seal).pipe(hasher).pipe(out);
    } else archive.pipe(hasher).pipe(out);
  }

  /** Creates the output folder if needed and opens `<name>.zip.partial` (fails early and clearly). */
  static async create(opts: BundleWriterOptions): Promise<BundleWriter> {
    try {
      await mkdir(opts.outDir, { recursive: true });
    } catch (e) {
      throw new BundleWriteError(`cannot create the output folder ${opts.outDir}: ${(e as Error).message}`, { cause: e });
    }
    const sealed = opts.recipients && opts.recipients.length > 0 ? await sealHeader(opts.recipients) : undefined;
    const partialPath = join(opts.outDir, `${opts.name}.zip${sealed ? '.age' : ''}.partial`);
    const out = createWriteStream(partialPath, { flags: 'wx' });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', (e) => reject(new BundleWriteError(`cannot write the bundle in ${opts.outDir}: ${e.message}`, { cause: e })));
    });
    const archive = createZipArchive({ level: opts.level ?? 6, ...(opts.password ? { password: opts.password } : {}) });
    return new BundleWriter(partialPath, archive, out, sealed ? new SealTransform(sealed.fileKey, sealed.header) : undefined);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    const msg = (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : e.message;
    this.failure = new BundleWriteError(`writing the bundle failed: ${msg}`, { cause: e });
    for (const done of this.pending.values()) done();
    this.pending.clear();
  }

  /** The write failure, if any (checked by callers after each entry). */
  get error(): Error | undefined {
    return this.failure;
  }

  private entryDone(name: string): Promise<void> {
    return new Promise<void>((resolve) => this.pending.set(name, resolve));
  }

  /**
   * Streams `source` into entry `name`, hashing on the way (on the hash worker when
   * `expectedSize` says the entry is large). A read error part-way ends the
   * entry with the bytes read so far (the zip stays valid) and is returned as `readError`.
   */
  async addStream(name: string, source: Readable, date?: Date, expectedSize?: number): Promise<StreamResult> {
    if (this.failure) throw this.failure;
    if (this.pending.has(name)) throw new Error(`duplicate bundle entry: ${name}`);
    const tee = new HashTee(expectedSize);
    let readError: string | undefined;
    source.on('error', (e: Error) => {
      readError = e.message;
      source.unpipe(tee);
      tee.end();
    });
    source.pipe(tee);
    const done = this.entryDone(name);
    this.archive.append(tee, { name, date: date ?? new Date() });
    await done;
    if (this.failure) {
      source.destroy();
      throw this.failure;
    }
    const d = await tee.digests();
    return readError === undefined ? d : { ...d, readError };
  }

  /** Adds bytes in memory as entry `name`. */
  async addBytes(name: string, data: Uint8Array | string, date?: Date): Promise<StreamResult> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const src = new PassThrough();
    src.end(buf);
    return this.addStream(name, src, date);
  }

  /** Streams text given in pieces (a large JSON document is never held whole) as entry `name`. */
  async addPieces(name: string, pieces: Iterable<string>, date?: Date): Promise<StreamResult> {
    return this.addStream(name, Readable.from(batched(pieces), { objectMode: false }), date);
  }

  /**
   * Finishes the zip, renames it to `<finalName>` (`<finalName>.age` when sealed; same folder) and writes the
   * `<bundle>.sha256` sidecar (sha256sum format). With `keepPartial`, the zip keeps its
   * `.partial` name (an interrupted run: complete zip structure, manifest says incomplete).
   */
  async finish(finalName: string, keepPartial = false): Promise<{ path: string; sha256: string; size: number }> {
    if (this.failure) {
      await this.stop();
      throw this.failure;
    }
    await this.archive.finalize();
    await this.closed;
    if (this.failure) {
      await this.stop();
      throw this.failure;
    }
    const sha256 = this.zipHash.digest('hex');
    const size = this.written;
    const path = keepPartial ? this.partialPath : join(this.partialPath, '..', `${finalName}${this.suffix}`);
    try {
      if (!keepPartial) await rename(this.partialPath, path);
      await writeFile(`${path}.sha256`, `${sha256}  ${basename(path)}\n`, { flag: 'w' });
    } catch (e) {
      throw new BundleWriteError(`finishing the bundle failed: ${(e as Error).message}`, { cause: e });
    }
    return { path, sha256, size };
  }

  /** Stops writing and keeps the `.partial` file as it is (what was written is never deleted). */
  async stop(): Promise<void> {
    this.archive.abort();
    this.out.destroy();
    await this.closed;
  }

  /** Stops writing and removes the partial file (an empty bundle nobody needs). */
  async abort(): Promise<void> {
    this.archive.abort();
    this.out.destroy();
    await this.closed;
    await rm(this.partialPath, { force: true });
  }
}

/** Text pieces joined into buffers of about 64 KiB (one stream chunk per property would be slow). */
function* batched(pieces: Iterable<string>): Generator<Buffer> {
  let parts: string[] = [];
  let length = 0;
  for (const p of pieces) {
    parts.push(p);
    length += p.length;
    if (length >= 1 << 16) {
      yield Buffer.from(parts.join(''), 'utf8');
      parts = [];
      length = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(''), 'utf8');
}

export { sha256Hex };
