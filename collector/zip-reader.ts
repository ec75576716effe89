/**
 * Reads zips that are untrusted input (bundles from elsewhere, Velociraptor collections)
 * with yauzl. Entry names are decoded and checked here, not by yauzl, so that one hostile
 * name (`../x`, `/etc/x`, `C:\x`) is refused and reported by name instead of failing the
 * whole archive. Nothing is ever extracted to disk: entries are read as streams or bytes.
 */
import { open as openFile } from 'node:fs/promises';
import { PassThrough, Transform, pipeline, type Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl, { type Entry, type RandomAccessReader, type ZipFile } from 'yauzl';
import { EvidenceReadError } from '../detection/evidence.js';
import { AesDecryptStream, parseAesExtra } from './zip-aes.js';
import { ZipLimitError, zipEntrySource, type EntryRange, type ZipEntrySource } from './zip-entry-source.js';

export { ZipLimitError, type ZipEntrySource } from './zip-entry-source.js';

export interface ZipEntryInfo {
  /** Checked, `/`-separated relative name. */
  name: string;
  size: number;
  compressedSize: number;
  modified: string;
  encrypted: boolean;
  isDir: boolean;
  entry: Entry;
}

export interface ZipIndex {
  path: string;
  entries: ZipEntryInfo[];
  /** Names refused because they could land outside an output folder, with the reason. */
  refused: { name: string; reason: string }[];
  openStream(e: ZipEntryInfo): Promise<Readable>;
  readBytes(e: ZipEntryInfo, cap: number): Promise<Buffer>;
  /** Random reads of one entry, streamed (see entry-source.ts): the caller closes it. */
  openSource(e: ZipEntryInfo): ZipEntrySource;
  close(): void;
}

/**
 * A file that cannot be read as a zip: `NOT_ZIP` (it does not start like one: a text file, an
 * empty file) or `DAMAGED` (it starts like a zip but its central directory cannot be read:
 * truncated, bytes appended, altered). The CLI turns the first into a usage error and the
 * second into a failed check.
 */
export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
  readonly code: 'NOT_ZIP' | 'DAMAGED';
  constructor(code: 'NOT_ZIP' | 'DAMAGED', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Local file header or end-of-central-directory signature (an empty zip) at offset 0. */
async function startsLikeZip(path: string): Promise<boolean> {
  const h = await openFile(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await h.read(b, 0, 4, 0);
    return bytesRead === 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
  } finally {
    await h.close();
  }
}

/**
 * Entries read from a zip's central directory; the rest are counted in one refused row, not
 * read (a hostile directory of millions of entries costs memory and time per entry).
 */
export const MAX_ZIP_ENTRIES = 25_000;
/** Unsafe names listed one by one; past this they are counted in one row. */
export const MAX_REFUSED_LISTED = 1_000;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/**
 * Returns the reason a zip entry name is unsafe, or undefined when it is a plain relative
 * path. Refused: absolute (`/x`, `\x`, `C:x`), any `..` segment, NUL, empty.
 */
export function unsafeEntryName(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (name.includes('\0')) return 'NUL in name';
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(n)) return 'drive-qualified path';
  if (n.split('/').some((s) => s === '..')) return 'parent-folder (..) segment';
  return undefined;
}

/**
 * Output chunk of an entry's inflate. zlib's default (16 KiB) costs a thread-pool round trip
 * and a callback per 16 KiB: 5.3 s of CPU to inflate a 1 GiB event log on the bench machine,
 * against 1.8 s with chunks of 1 MiB.
 */
const INFLATE_CHUNK_BYTES = 1 << 20;

/**
 * The entry's bytes inflated from `raw` (through `before`, e.g. a decryption), checked
 * against the size the zip declares as yauzl checks the entries it inflates itself.
 */
function inflated(raw: Readable, before: Transform[], size: number): Readable {
  const out = new PassThrough({ highWaterMark: INFLATE_CHUNK_BYTES });
  let n = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb(n > size ? new Error(`too many bytes in the stream. expected ${size}. got at least ${n}`) : null, chunk);
    },
    flush(cb) {
      cb(n < size ? new Error(`not enough bytes in the stream. expected ${size}. got only ${n}`) : null);
    },
  });
  pipeline([raw, ...before, createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES }), count, out], (err) => {
    if (err) out.destroy(err);
  });
  return out;
}

/**
 * Drops what yauzl keeps per entry that reading it never needs again (the raw name, extra
 * field and comment bytes; the extra fields unless encrypted): a zip of many entries then
 * costs far less memory.
 */
const NO_BYTES = Buffer.alloc(0);
const NO_EXTRA_FIELDS: Entry['extraFields'] = [];

function slim(entry: Entry): void {
  // Assigned, not deleted: a deleted property turns the object into a slower, larger dictionary.
  const e = entry as unknown as Record<string, unknown>;
  for (const k of ['fileNameRaw', 'extraFieldRaw', 'fileCommentRaw', 'fileName']) if (k in e) e[k] = NO_BYTES;
  if ('fileComment' in e) e['fileComment'] = '';
  if ('comment' in e) e['comment'] = '';
  if (!entry.isEncrypted()) entry.extraFields = NO_EXTRA_FIELDS;
}

export interface OpenZipOptions {
  /** Password of an AES-encrypted zip (espy's `--password` bundles). */
  password?: Buffer;
  /** Read the zip through this reader (a sealed bundle's plaintext) instead of from `path`. */
  random?: { reader: RandomAccessReader; size: number };
}

export async function openZip(path: string, opts: OpenZipOptions = {}): Promise<ZipIndex> {
  const yopts = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false };
  let zip: ZipFile;
  try {
    zip = opts.random ? await yauzl.fromRandomAccessReaderPromise(opts.random.reader, opts.random.size, yopts) : await yauzl.openPromise(path, yopts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== undefined) throw e; // a file-system error (ENOENT, EACCES)
    const zipLike = opts.random !== undefined || (await startsLikeZip(path));
    const why = (e as Error).message;
    throw zipLike ? new ZipFormatError('DAMAGED', `damaged zip (truncated, altered or with bytes appended): ${why}`, { cause: e }) : new ZipFormatError('NOT_ZIP', 'not a zip file', { cause: e });
  }
  const entries: ZipEntryInfo[] = [];
  const refused: { name: string; reason: string }[] = [];
  let seen = 0;
  let unlisted = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      seen++;
      const raw = entry.fileName as unknown as Buffer;
      // General purpose bit 11: UTF-8 names; otherwise CP437 (latin1 is close enough for ASCII paths).
      const name = ((entry.generalPurposeBitFlag & 0x800) !== 0 ? utf8 : latin1).decode(raw);
      const bad = unsafeEntryName(name);
      if (bad) {
        if (refused.length < MAX_REFUSED_LISTED) refused.push({ name, reason: bad });
        else unlisted++;
      } else
        entries.push({
          name: name.replace(/\\/g, '/'),
          size: entry.uncompressedSize,
          compressedSize: entry.compressedSize,
          modified: entry.getLastModDate().toISOString(),
          encrypted: entry.isEncrypted(),
          isDir: name.endsWith('/'),
          entry,
        });
      slim(entry);
      if (seen < MAX_ZIP_ENTRIES) zip.readEntry();
      else resolve();
    });
    zip.on('end', () => resolve());
    zip.on('error', (e: Error) => {
      zip.close();
      reject(new ZipFormatError('DAMAGED', `damaged zip (its central directory cannot be read through): ${e.message}`, { cause: e }));
    });
    zip.readEntry();
  });
  const openStream = async (e: ZipEntryInfo): Promise<Readable> => {
    if (!e.encrypted) {
      if (e.entry.compressionMethod !== 8) return zip.openReadStreamPromise(e.entry);
      return inflated(await zip.openReadStreamPromise(e.entry, { decodeFileData: false }), [], e.size);
    }
    const aes = parseAesExtra(e.entry.extraFields);
    if (!aes) throw new EvidenceReadError('UNSUPPORTED_ENCRYPTION', `entry is encrypted with a method espy cannot read (not WinZip AES): ${e.name}`);
    if (!opts.password) throw new EvidenceReadError('NEEDS_PASSWORD', `entry is encrypted (give the bundle password): ${e.name}`);
    if (aes.actualMethod !== 0 && aes.actualMethod !== 8) throw new Error(`unsupported compression method ${aes.actualMethod}: ${e.name}`);
    const raw = await zip.openReadStreamPromise(e.entry, { decodeFileData: false });
    const dec = new AesDecryptStream(opts.password, aes);
    if (aes.actualMethod === 8) return inflated(raw, [dec], e.size);
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    pipeline(raw, dec, out, (err) => {
      if (err) out.destroy(err);
    });
    return out;
  };
  if (unlisted > 0) refused.push({ name: `(${unlisted} more unsafe names)`, reason: `more than ${MAX_REFUSED_LISTED} unsafe names: counted, not listed` });
  if (zip.entryCount > seen) refused.push({ name: `(${zip.entryCount - seen} entries not read)`, reason: `more than ${MAX_ZIP_ENTRIES} entries: the rest of the zip is not read` });
  // Checked as bytes arrive, whatever the entry claims: a lying size cannot inflate past `cap`.
  const readBytes = async (e: ZipEntryInfo, cap: number): Promise<Buffer> => {
    if (e.size > cap) throw new ZipLimitError(`entry ${e.name} is larger than ${cap} bytes`);
    const s = await openStream(e);
    const parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of s as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > cap) {
        s.destroy();
        throw new ZipLimitError(`entry ${e.name} inflates past ${cap} bytes`);
      }
      parts.push(chunk);
    }
    return Buffer.concat(parts, n);
  };
  return {
    path,
    entries,
    refused,
    openStream,
    readBytes,
    openSource: (e) =>
      zipEntrySource(
        e.name,
        e.size,
        () => openStream(e),
        (cap) => readBytes(e, cap),
        storedRange(zip, e),
      ),
    close: () => zip.close(),
  };
}

/**
 * Direct reads of a stored entry (method 0, not encrypted) whose two declared sizes agree:
 * its bytes are the archive's bytes, so any range is read in place. Undefined for any other
 * entry (it is inflated or decrypted as a forward stream).
 */
function storedRange(zip: ZipFile, e: ZipEntryInfo): EntryRange | undefined {
  if (e.encrypted || e.entry.compressionMethod !== 0 || e.compressedSize !== e.size) return undefined;
  return (start, end) => zip.openReadStreamPromise(e.entry, { start, end });
}
