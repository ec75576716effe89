/**
 * Opens a bundle that may be sealed: the file's first line (not its name) says whether it is
 * an age file; a sealed bundle is read through its decrypted chunks, never unpacked to disk.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openBundle, type BundleReader } from '../bundle-reader.js';
import { isSealedFile, openSealedFile } from './sealed-file.js';
import { sealedZipSource } from './zip-source.js';

/** A sealed bundle was given without an identity to open it (→ usage error). */
export class IdentityNeededError extends Error {
  override readonly name = 'IdentityNeededError';
}

export interface OpenMaybeSealedOptions {
  password?: Buffer;
  /** `AGE-SECRET-KEY-` identities for a sealed bundle. */
  identities?: readonly string[];
  signal?: AbortSignal;
}

/** True for a file (not a folder) that starts with the age header line. */
export async function isSealedBundle(path: string): Promise<boolean> {
  const st = await stat(path);
  return st.isFile() && (await isSealedFile(path));
}

export async function openMaybeSealedBundle(path: string, opts: OpenMaybeSealedOptions = {}): Promise<BundleReader & { sealed: boolean }> {
  const abs = resolve(path);
  const base = opts.password ? { password: opts.password } : {};
  if (!(await isSealedBundle(abs))) return { ...(await openBundle(abs, base)), sealed: false };
  if (!opts.identities || opts.identities.length === 0) {
    throw new IdentityNeededError("this is a sealed (age) bundle: give the analyst's identity with --identity FILE");
  }
  const file = await openSealedFile(abs, opts.identities);
  try {
    // Every chunk is authenticated before anything is read: an altered byte anywhere is
    // one clear error up front, not a half-read bundle.
    await file.checkAll(opts.signal);
    return { ...(await openBundle(abs, { ...base, random: sealedZipSource(file) })), sealed: true };
  } catch (e) {
    await file.close();
    throw e;
  }
}
