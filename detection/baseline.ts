import { z } from 'zod';
import type { AnalysisResult } from './analysis-result.js';
import type { Baseline } from './analyze/inputs.js';

export type { Baseline } from './analyze/inputs.js';

const BaselineSchema = z.object({
  schema: z.literal('espy-baseline/1'),
  createdAt: z.string(),
  host: z.string(),
  // A hash that is not SHA-256 hex would make every DLL "changed since the baseline": refused.
  esps: z.array(
    z.object({
      procedure: z.string(),
      dll: z.string(),
      sha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'not a SHA-256 (64 hex digits)')
        .optional(),
    }),
  ),
});

/**
 * A known-good ESP inventory from an analysis of a trusted state: every ESP procedure with its
 * DLL (and the DLL's SHA-256 where the file was seen). `--baseline FILE` then flags every ESP
 * not in it.
 */
export function createBaseline(result: AnalysisResult, createdAt: string): Baseline {
  const esps: Baseline['esps'] = [];
  for (const e of result.esps) {
    for (const procedure of e.procedures.length > 0 ? e.procedures : ['']) {
      const row: Baseline['esps'][number] = { procedure, dll: e.dllPath ?? e.dll };
      if (e.file?.sha256) row.sha256 = e.file.sha256.toLowerCase();
      esps.push(row);
    }
  }
  esps.sort((a, b) => a.procedure.localeCompare(b.procedure) || a.dll.localeCompare(b.dll));
  return { schema: 'espy-baseline/1', createdAt, host: result.host.name, esps };
}

/** Parses and validates a baseline file; throws an Error naming what is wrong. */
export function parseBaseline(text: string, name: string): Baseline {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const r = BaselineSchema.safeParse(json);
  if (!r.success) throw new Error(`${name}: not an espy baseline: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const b: Baseline = { schema: r.data.schema, createdAt: r.data.createdAt, host: r.data.host, esps: [] };
  for (const e of r.data.esps) b.esps.push(e.sha256 === undefined ? { procedure: e.procedure, dll: e.dll } : { procedure: e.procedure, dll: e.dll, sha256: e.sha256.toLowerCase() });
  return b;
}
