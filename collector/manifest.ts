/**
 * The bundle manifest (`manifest.json`): one row per file with its provenance (as
 * Velociraptor's upload rows), plus every other bundle entry with its hash, so `verify` can
 * prove nothing changed. Read back through a zod schema: a bundle is untrusted input.
 */
import { z } from 'zod';

export const MANIFEST_FORMAT = 'espy-bundle' as const;
export const MANIFEST_VERSION = 1 as const;

export const COLLECT_METHODS = ['copy', 'export', 'query', 'hash'] as const;

const kindSchema = z.enum(['evtx', 'errorlog', 'sql-export', 'dll', 'sysinfo', 'trace', 'other']);

const classificationSchema = z.object({
  isPe: z.boolean(),
  isEsp: z.boolean(),
  reasons: z.array(z.string()),
  yara: z.array(z.string()),
  kept: z.boolean(),
});

export const manifestFileSchema = z.object({
  originalPath: z.string(),
  /** Absent when the file was not stored (hash-only, error, not kept by the sweep). */
  storedPath: z.string().optional(),
  kind: kindSchema,
  target: z.string().optional(),
  method: z.enum(COLLECT_METHODS),
  size: z.number(),
  sha256: z.string().optional(),
  sha1: z.string().optional(),
  md5: z.string().optional(),
  created: z.string().optional(),
  modified: z.string().optional(),
  accessed: z.string().optional(),
  changed: z.string().optional(),
  /** Why the file was fetched: a target name, or `named by ...` for DLLs from the logs. */
  reason: z.string().optional(),
  classification: classificationSchema.optional(),
  error: z.string().optional(),
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export const manifestEntrySchema = z.object({ name: z.string(), size: z.number(), sha256: z.string() });
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.literal(MANIFEST_VERSION),
  espyVersion: z.string(),
  /** The suspect host. */
  host: z.string(),
  source: z.object({ kind: z.enum(['live', 'drive-folder', 'kape', 'velociraptor']), path: z.string() }),
  /** The machine that ran espy (for an image source: never the suspect host). */
  collectedBy: z.object({ hostname: z.string(), platform: z.string(), user: z.string().optional() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** True when the run was interrupted or failed before the end: the bundle is partial. */
  incomplete: z.boolean(),
  incompleteReason: z.string().optional(),
  encrypted: z.boolean(),
  options: z.record(z.string(), z.unknown()),
  files: z.array(manifestFileSchema),
  /** The bundle's other entries (collection.log, sysinfo.json, sql/..., analysis.json, ...). */
  entries: z.array(manifestEntrySchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface ManifestSummary {
  files: number;
  bytes: number;
  errors: number;
  incomplete: boolean;
}

export function summarizeManifest(m: Manifest): ManifestSummary {
  let bytes = 0;
  let errors = 0;
  for (const f of m.files) {
    if (f.storedPath) bytes += f.size;
    if (f.error) errors++;
  }
  return { files: m.files.filter((f) => f.storedPath).length, bytes, errors, incomplete: m.incomplete };
}

/** Parses manifest JSON text; throws an Error naming the first problem. */
export function parseManifest(text: string): Manifest {
  const r = manifestSchema.safeParse(JSON.parse(text));
  if (!r.success) {
    const first = r.error.issues[0];
    throw new Error(`manifest.json is not an espy manifest: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return r.data;
}
