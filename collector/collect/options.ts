/** What a collection is asked to do, and what it gives back. */
import type { EventReader, FileClassifier } from '../classify.js';
import type { LogLevel } from '../collection-log.js';
import type { FsView } from '../fs-view.js';
import type { LiveHost } from '../live-host.js';
import type { Manifest } from '../manifest.js';
import type { SweepMode } from '../targets/index.js';

export interface CollectOptions {
  /** Folder or Velociraptor zip; undefined = the live host (`live` must be given). */
  source?: string;
  sqlExport?: string;
  outDir: string;
  sweep: SweepMode;
  copyBinn: boolean;
  noSql: boolean;
  /** Files larger than this are listed with an error, not collected. */
  maxFileSize: number;
  password?: Buffer;
  /** Seal the bundle for these age recipients (`age1...`): written as `<name>.zip.age`. */
  recipients?: readonly string[];
  /** zlib level 0..9 (default 6). */
  level?: number;
  signal: AbortSignal;
  now(): Date;
  espyVersion: string;
  /** Options recorded in the manifest (never a password). */
  recordedOptions: Record<string, unknown>;
  log?(level: LogLevel, msg: string): void;
  /** `unit: 'bytes'` when done/total are bytes (copying files), else counts. */
  progress?(phase: string, done: number, total: number, unit?: 'bytes'): void;
  /** The machine running espy. */
  localHost: { hostname: string; platform: string; user?: string };
  classify?: FileClassifier;
  readEvents?: EventReader;
  live?: LiveHost;
  /** espy's own executable (default `process.execPath`): never swept on a live host. */
  selfPath?: string;
  /** Wraps the source's view (tests inject failures: EACCES cannot be produced as root). */
  wrapView?(view: FsView): FsView;
}

export interface CollectResult {
  bundlePath: string;
  sha256: string;
  manifestSha256: string;
  host: string;
  incomplete: boolean;
  incompleteReason?: string;
  /** Files stored, bytes stored, rows with errors. */
  files: number;
  bytes: number;
  errors: number;
  manifest: Manifest;
}

/** The collection stopped on an unexpected error; what was gathered is kept in `partialPath`. */
export class CollectionFailedError extends Error {
  override readonly name = 'CollectionFailedError';
  readonly partialPath: string;
  constructor(message: string, partialPath: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.partialPath = partialPath;
  }
}

/** `20240102T030405Z` */
export function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** A host name safe in a file name. */
export function safeHostName(s: string): string {
  const t = s
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 63);
  return t || 'UNKNOWN';
}
