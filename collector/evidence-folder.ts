/**
 * `EvidenceSet` over a source folder or Velociraptor zip, using the same plan as `collect`
 * (targets, DLLs named by the logs, sweep), so analysing a folder sees exactly what
 * collecting it would. A `sql` folder inside the source (or `sqlExport`) gives SQL exports.
 */
import { chooseHostName } from '../detection/mssql/index.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { EvidenceIntegrity, EvidenceSet } from '../detection/evidence.js';
import { memorySource } from '../parsers/common/byte-source.js';
import type { EventReader, FileClassifier } from './classify.js';
import { listedEvidenceSet, openFromView, type ListedArtefact } from './memory-evidence.js';
import { planCollection } from './plan/index.js';
import { readExportTexts } from './collect/sql.js';
import { openSource } from './source.js';
import type { SweepMode } from './targets/index.js';

export interface FolderEvidenceOptions {
  sweep?: SweepMode;
  sqlExport?: string;
  maxFileSize?: number;
  classify?: FileClassifier;
  readEvents?: EventReader;
  signal?: AbortSignal;
  log?(level: 'info' | 'warn' | 'debug', msg: string): void;
}

export interface FolderEvidence extends EvidenceSet {
  /** Log lines of the planning (skips, missing DLLs): what collection.log would say. */
  readonly notes: string[];
  close(): Promise<void>;
}

async function sqlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    const ents = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory() && depth < 8) await walk(join(d, e.name), depth + 1);
      else if (e.isFile() && out.length < 1000) out.push(join(d, e.name));
    }
  };
  await walk(dir, 0);
  return out;
}

export async function openFolderEvidence(path: string, opts: FolderEvidenceOptions = {}): Promise<FolderEvidence> {
  const src = await openSource(path);
  const notes: string[] = [...src.layout.notes];
  const sqlDir = opts.sqlExport ?? (src.layout.kind === 'drive-folder' || src.layout.kind === 'kape' ? join(src.path, 'sql') : undefined);
  const sqlPaths = sqlDir && (await stat(sqlDir).catch(() => undefined))?.isDirectory() ? await sqlFiles(sqlDir) : [];
  const log = (level: 'info' | 'warn' | 'debug', msg: string): void => {
    notes.push(`${level}: ${msg}`);
    opts.log?.(level, msg);
  };
  const sqlExports = await readExportTexts(sqlPaths, log);
  const plan = await planCollection(src.view, src.layout, {
    sqlExports,
    sweep: opts.sweep ?? 'smart',
    copyBinn: false,
    maxFileSize: opts.maxFileSize ?? Number.MAX_SAFE_INTEGER,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.classify ? { classify: opts.classify } : {}),
    ...(opts.readEvents ? { readEvents: opts.readEvents } : {}),
    log,
  });
  const items: ListedArtefact[] = [];
  for (const it of plan.items) {
    if (it.action !== 'copy') continue;
    const st = await src.view.lstat(it.fsPath);
    const artefact: ListedArtefact['artefact'] = { originalPath: it.originalPath, kind: it.kind, size: st.ok ? st.value.size : 0 };
    if (st.ok && st.value.created) artefact.created = st.value.created;
    if (st.ok && st.value.modified) artefact.modified = st.value.modified;
    const fsPath = it.fsPath;
    items.push({ artefact, open: () => openFromView(src.view, fsPath) });
  }
  if (sqlDir) {
    for (const p of sqlPaths) {
      const size = (await stat(p)).size;
      items.push({
        artefact: { originalPath: p, storedPath: `sql/${relative(sqlDir, p).split(/[\\/]/).join('/')}`, kind: 'sql-export', size },
        open: async () => memorySource(await readFile(p)),
      });
    }
  }
  const named = chooseHostName({ ...plan.hostClues, location: '' });
  const host = named.source === 'location' ? undefined : named.name;
  const set = listedEvidenceSet('folder', src.path, items, () => Promise.resolve(host ? { hostname: host } : undefined));
  return { ...set, notes, close: src.close };
}

/** A stray manifest.json is read up to this size to be quoted and counted. */
export const MAX_STRAY_MANIFEST_BYTES = 16 * 1024 * 1024;

/** How many files a manifest lists, when it parses as JSON with a `files` array. */
function claimedFiles(text: string): number | undefined {
  try {
    const m = JSON.parse(text) as unknown;
    const files = m && typeof m === 'object' ? (m as Record<string, unknown>)['files'] : undefined;
    return Array.isArray(files) ? files.length : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A folder (or zipped tree) that holds a manifest.json but is not laid out as an espy bundle:
 * the tree was analysed as an image or collection, and the manifest is reported as ignored
 * with what it claims, so that an analyst sees someone put it there.
 */
export function withStrayManifest<T extends EvidenceSet>(evidence: T, name: string, bytes: Uint8Array): T {
  const text = new TextDecoder('utf-8').decode(bytes);
  const claimed = claimedFiles(text);
  const integrity: EvidenceIntegrity = {
    manifest: 'ignored',
    manifestPath: name,
    excerpt: `${text.trim().slice(0, 120)}${text.trim().length > 120 ? '…' : ''}`,
    checked: 0,
    disagreements: [],
    disagreementCount: 0,
    ...(claimed === undefined ? {} : { claimedFiles: claimed }),
  };
  return Object.assign(evidence, { integrity: () => Promise.resolve(integrity) });
}
