/**
 * The collector's public face: `openEvidence` (for `analyze`), `collect`, `verifyBundle`.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvidenceSet } from '../detection/evidence.js';
import { isBundleLayout, STORED_DRIVE_RE, topName } from './bundle-layout.js';
import { openMaybeSealedBundle } from './seal/open.js';
import { openBundleEvidence } from './evidence-bundle.js';
import { readPrefix } from './read-prefix.js';
import { openFolderEvidence, withStrayManifest, MAX_STRAY_MANIFEST_BYTES, type FolderEvidenceOptions } from './evidence-folder.js';

export { collect, CollectionFailedError, CollectSession, type CollectOptions, type CollectResult, type StreamedLogs } from './collect/index.js';
export { verifyBundle, type VerifyReport, type VerifyProblem } from './verify.js';
export { openBundleEvidence, type BundleEvidence } from './evidence-bundle.js';
export { openFolderEvidence, type FolderEvidence, type FolderEvidenceOptions } from './evidence-folder.js';
export { BundleWriteError } from './bundle-writer.js';
export { IdentityNeededError } from './seal/open.js';
export { WrongIdentityError } from './seal/header.js';
export { SealDamagedError } from './seal/stream.js';
export { KeyFileError, readIdentityFile, readRecipientsFile, checkRecipients, writeNewIdentity } from './seal/keys.js';
export { SourceError } from './source.js';
export type { Classification, FileClassifier, EventReader } from './classify.js';

/**
 * The first bytes of a regular file (a stray manifest is only quoted and counted, never
 * trusted); a link is not followed, since it could point out of the evidence (O_NOFOLLOW
 * does not exist on Windows: there the lstat check stands alone).
 */
async function readCapped(path: string): Promise<Uint8Array> {
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile()) return new TextEncoder().encode('(not a regular file: not read)');
  return readPrefix(path, MAX_STRAY_MANIFEST_BYTES).catch(() => new TextEncoder().encode('(could not be opened: not read)'));
}

export type OpenEvidenceOptions = FolderEvidenceOptions & {
  /** Password of an AES-encrypted espy bundle. */
  password?: Buffer;
  /** Identities (`AGE-SECRET-KEY-`) of a sealed espy bundle. */
  identities?: readonly string[];
};

/**
 * Opens what the user gave to `analyze`: an espy bundle (a `.zip` or an extracted folder, told
 * by espy's layout: files stored as `files/<drive>/...`, see isBundleLayout), a
 * Velociraptor collection `.zip`, or a source folder (drive image, KAPE, Velociraptor, sample
 * host). A manifest.json anywhere else decides nothing: the tree is analysed as what it is,
 * and the stray manifest is reported. Close it with `close()` when done.
 */
export async function openEvidence(path: string, opts: OpenEvidenceOptions = {}): Promise<EvidenceSet & { close(): Promise<void> }> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const top = await readdir(path).catch(() => [] as string[]);
    const stored = top.includes('files') ? await readdir(join(path, 'files'), { withFileTypes: true }).catch(() => []) : [];
    if (
      isBundleLayout(
        top,
        stored.some((d) => d.isDirectory() && /^[A-Za-z]$/.test(d.name)),
      )
    )
      return openBundleEvidence(path);
    const folder = await openFolderEvidence(path, opts);
    if (!top.includes('manifest.json')) return folder;
    const text = await readCapped(join(path, 'manifest.json'));
    return withStrayManifest(folder, 'manifest.json', text);
  }
  const zipOpts = { ...(opts.password ? { password: opts.password } : {}), ...(opts.identities ? { identities: opts.identities } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  const zip = await openMaybeSealedBundle(path, zipOpts);
  const top = new Set<string>();
  let storedDrive = false;
  for (const n of zip.entries.keys()) {
    top.add(topName(n));
    storedDrive ||= STORED_DRIVE_RE.test(n);
  }
  // An espy bundle is read through the index just built (opened once, not twice).
  if (isBundleLayout(top, storedDrive)) return openBundleEvidence(path, zipOpts, zip);
  const stray = top.has('manifest.json') ? await zip.readBytes('manifest.json', MAX_STRAY_MANIFEST_BYTES).catch(() => new Uint8Array()) : undefined;
  await zip.close();
  // Not espy's layout: a Velociraptor offline collection (or any zipped tree).
  const folder = await openFolderEvidence(path, opts);
  return stray ? withStrayManifest(folder, 'manifest.json', stray) : folder;
}
