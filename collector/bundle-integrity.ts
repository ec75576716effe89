/**
 * A bundle's claims against its content: every entry re-hashed against manifest.json (the
 * same check as `espy verify`), each stored file's name against the original path the
 * manifest gives it, and the zip's own SHA-256, computed from its bytes, against the
 * `.sha256` sidecar. The result is data for the analysis; it filters nothing.
 */
import type { EvidenceIntegrity, ManifestDisagreement } from '../detection/evidence.js';
import { originalFromStored } from './bundle-layout.js';
import type { Manifest } from './manifest.js';
import { verifyBundle } from './verify.js';
import { windowsPathKey } from './win-path.js';

/** Disagreeing entries kept in the result (the count keeps them all). */
export const MAX_DISAGREEMENTS = 200;

/** Stored files whose manifest row names another original path than the stored name does. */
function pathDisagreements(m: Manifest): ManifestDisagreement[] {
  const out: ManifestDisagreement[] = [];
  for (const f of m.files) {
    if (!f.storedPath) continue;
    const fromName = originalFromStored(f.storedPath);
    if (fromName && windowsPathKey(fromName) !== windowsPathKey(f.originalPath)) {
      out.push({ name: f.storedPath, problem: 'altered', detail: `manifest says it came from ${f.originalPath}; stored as ${fromName}` });
    }
  }
  return out;
}

/**
 * Checks the bundle at `path` (zip or extracted folder). `manifest` is the parsed manifest,
 * undefined when missing or invalid (`manifestError`). Never throws: a bundle that cannot be
 * read through is itself a disagreement; an aborted `signal` is thrown.
 */
export async function checkBundle(
  path: string,
  opts: { password?: Buffer; identities?: readonly string[]; signal?: AbortSignal; manifest: Manifest | undefined; manifestError: string | undefined; hasManifest: boolean },
): Promise<EvidenceIntegrity> {
  const out: EvidenceIntegrity = { manifest: 'agrees', manifestPath: 'manifest.json', checked: 0, disagreements: [], disagreementCount: 0 };
  let all: ManifestDisagreement[];
  try {
    const v = await verifyBundle(path, {
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.identities ? { identities: opts.identities } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (v.bundleSha256) out.bundleSha256 = v.bundleSha256;
    if (v.sidecar !== 'not-applicable') out.sidecar = v.sidecar;
    if (v.sidecarSha256) out.sidecarSha256 = v.sidecarSha256;
    out.checked = v.checked;
    // An encrypted entry without its password is unread, not a disagreement (analysis says so).
    all = v.problems.filter((p) => p.problem !== 'encrypted');
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    all = [{ name: '(bundle)', problem: 'unreadable', detail: `the bundle could not be read through: ${(e as Error).message}` }];
  }
  if (opts.manifest) for (const d of pathDisagreements(opts.manifest)) all.push(d);
  else {
    out.manifest = opts.hasManifest ? 'invalid' : 'missing';
    out.manifestError = opts.manifestError ?? 'no manifest';
  }
  if (all.length > 0 && out.manifest === 'agrees') out.manifest = 'disagrees';
  out.disagreementCount = all.length;
  out.disagreements = all.slice(0, MAX_DISAGREEMENTS);
  return out;
}

/** Names of the entries whose manifest row agrees with the content (hash, size, path). */
export function agreeingEntries(m: Manifest | undefined, integrity: EvidenceIntegrity): Set<string> {
  const out = new Set<string>();
  if (!m || integrity.disagreementCount > integrity.disagreements.length) {
    // Not every disagreement is listed: trust no row rather than a row that might be one.
    return out;
  }
  const bad = new Set(integrity.disagreements.map((d) => d.name));
  if (bad.has('(bundle)')) return out;
  for (const f of m.files) if (f.storedPath && !bad.has(f.storedPath)) out.add(f.storedPath);
  return out;
}
