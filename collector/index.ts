/**
 * The collector's public face: `openEvidence` (for `analyze`), `collect`, `verifyBundle`.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvidenceSet } from '../detection/evidence.js';
import { openBundleEvidence } from './evidence-bundle.js';
import { openFolderEvidence, type FolderEvidenceOptions } from './evidence-folder.js';

export { collect, type CollectOptions, type CollectResult, type ExtraEntry } from './collect.js';
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

export type OpenEvidenceOptions = FolderEvidenceOptions & {
  /** Password of an AES-encrypted espy bundle. */
  password?: Buffer;
  /** Identities (`AGE-SECRET-KEY-`) of a sealed espy bundle. */
  identities?: readonly string[];
};

/**
 * Opens what the user gave to `analyze`: an espy bundle `.zip`, an extracted bundle folder
 * (has `manifest.json`), a Velociraptor collection `.zip`, or a source folder (drive image,
 * KAPE, Velociraptor, sample host). Close it with `close()` when done.
 */
export async function openEvidence(path: string, opts: OpenEvidenceOptions = {}): Promise<EvidenceSet & { close(): Promise<void> }> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const hasManifest = await stat(join(path, 'manifest.json')).then((s) => s.isFile(), () => false);
    return hasManifest ? openBundleEvidence(path) : openFolderEvidence(path, opts);
  }
  const b = await openBundleEvidence(path, { ...(opts.password ? { password: opts.password } : {}), ...(opts.identities ? { identities: opts.identities } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  if (b.manifest || (await b.list()).length > 0) return b;
  // A zip without an espy manifest: a Velociraptor offline collection.
  await b.close();
  return openFolderEvidence(path, opts);
}
