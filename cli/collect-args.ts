/** The flags of `espy collect`, parsed and checked before anything is read (a mistake is exit 2). */
import { z } from 'zod';
import { UsageError } from './exit-codes.js';

/**
 * Deflate level of the bundle: 1 by default. On a live production server CPU time matters more
 * than bundle size (level 1 is ~2x faster than 6 for ~10-20% more bytes on log data).
 */
export const DEFAULT_COMPRESSION_LEVEL = 1;

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?$/i;

/** `10M`, `512k`, `2GiB`, `1000` → bytes. */
export function parseSize(s: string): number | undefined {
  const m = SIZE.exec(s.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : unit === 't' ? 1024 ** 4 : 1;
  return Math.floor(Number(m[1]) * mult);
}

export const CollectArgs = z.object({
  source: z.string().min(1).optional(),
  sqlExport: z.string().min(1).optional(),
  out: z.string().min(1),
  baseline: z.string().min(1).optional(),
  trust: z.array(z.string().min(1)).optional(),
  sweep: z.enum(['smart', 'full', 'none']),
  passwordEnv: z.string().min(1).optional(),
  passwordPrompt: z.boolean(),
  recipient: z.array(z.string().min(1)).optional(),
  recipientsFile: z.string().min(1).optional(),
  copyBinn: z.boolean(),
  noSql: z.boolean(),
  maxFileSize: z.number().int().positive(),
  level: z.number().int().min(0).max(9),
});
export type CollectArgs = z.infer<typeof CollectArgs>;

export interface RawCollect {
  source?: string;
  sqlExport?: string;
  out?: string;
  baseline?: string;
  trust?: string[];
  sweep?: string;
  passwordEnv?: string;
  password?: boolean;
  recipient?: string[];
  recipientsFile?: string;
  copyBinn?: boolean;
  sql?: boolean;
  maxFileSize?: string;
  compressionLevel?: string;
}

/** Pure flag parsing (tests call it). */
export function parseCollectArgs(raw: RawCollect): CollectArgs {
  const max = raw.maxFileSize === undefined ? 4 * 1024 ** 3 : parseSize(raw.maxFileSize);
  if (max === undefined || max <= 0) throw new UsageError(`collect: --max-file-size must be a size like 500M or 2G, not ${JSON.stringify(raw.maxFileSize)}`);
  const r = CollectArgs.safeParse({
    ...(raw.source === undefined ? {} : { source: raw.source }),
    ...(raw.sqlExport === undefined ? {} : { sqlExport: raw.sqlExport }),
    out: raw.out ?? 'espy-out',
    ...(raw.baseline === undefined ? {} : { baseline: raw.baseline }),
    ...(raw.trust?.length ? { trust: raw.trust } : {}),
    sweep: raw.sweep ?? 'smart',
    ...(raw.passwordEnv === undefined ? {} : { passwordEnv: raw.passwordEnv }),
    passwordPrompt: Boolean(raw.password),
    ...(raw.recipient === undefined ? {} : { recipient: raw.recipient }),
    ...(raw.recipientsFile === undefined ? {} : { recipientsFile: raw.recipientsFile }),
    copyBinn: Boolean(raw.copyBinn),
    noSql: raw.sql === false,
    maxFileSize: max,
    level: raw.compressionLevel === undefined ? DEFAULT_COMPRESSION_LEVEL : Number(raw.compressionLevel),
  });
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(`collect: invalid ${i?.path.join('.') || 'arguments'}: ${i?.message ?? ''}`);
  }
  if (r.data.passwordEnv && r.data.passwordPrompt) throw new UsageError('collect: give --password-env VAR or --password, not both');
  if ((r.data.passwordEnv || r.data.passwordPrompt) && (r.data.recipient || r.data.recipientsFile)) {
    throw new UsageError('collect: give a password or --recipient/--recipients-file, not both (a sealed bundle needs no password on the host)');
  }
  return r.data;
}
