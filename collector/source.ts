/**
 * Opens a `--source`: a folder (drive image, KAPE, extracted Velociraptor collection) or a
 * Velociraptor collection `.zip`, and detects its layout.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { nodeFsView, type FsView } from './fs-view.js';
import { detectLayout, type SourceLayout } from './source-layout.js';
import { zipFsView } from './zip-fs-view.js';
import { openZip } from './zip-reader.js';

export interface OpenedSource {
  path: string;
  view: FsView;
  layout: SourceLayout;
  close(): Promise<void>;
}

/** Thrown when the source cannot be opened at all (missing, not a folder or zip). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

export async function openSource(path: string): Promise<OpenedSource> {
  const abs = resolve(path);
  let st;
  try {
    st = await stat(abs);
  } catch (e) {
    throw new SourceError(`cannot read the source ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (st.isFile()) {
    if (!/\.zip$/i.test(abs)) throw new SourceError(`the source must be a folder or a Velociraptor collection .zip: ${path}`);
    let zip;
    try {
      zip = await openZip(abs);
    } catch (e) {
      throw new SourceError(`cannot read the zip ${path}: ${(e as Error).message}`, { cause: e });
    }
    const view = zipFsView(zip);
    const layout = await detectLayout(view);
    for (const r of zip.refused) layout.notes.push(`zip entry refused (${r.reason}): ${JSON.stringify(r.name)}`);
    return { path: abs, view, layout, close: () => Promise.resolve(zip.close()) };
  }
  if (!st.isDirectory()) throw new SourceError(`the source is neither a folder nor a zip: ${path}`);
  const view = await nodeFsView(abs);
  return { path: abs, view, layout: await detectLayout(view), close: () => Promise.resolve() };
}
