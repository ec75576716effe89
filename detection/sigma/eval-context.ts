import type { EventView, FieldScalar, FieldValue } from './types.js';

/** A field's values as strings, raw and lower-case (computed once per event and field). */
export interface StringValues {
  raw: readonly string[];
  lower: readonly string[];
}

export function scalarToString(v: FieldScalar): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  return String(v);
}

/**
 * Per-event evaluation state: the view plus a cache of each field's string forms, so a
 * thousand rules testing `CommandLine` lower-case it once.
 */
export class EvalContext {
  readonly view: EventView;
  private readonly strCache = new Map<string, StringValues | null>();
  private keywordCache: StringValues | undefined;

  constructor(view: EventView) {
    this.view = view;
  }

  get(field: string): FieldValue | undefined {
    return this.view.get(field);
  }

  strings(field: string): StringValues | undefined {
    const hit = this.strCache.get(field);
    if (hit !== undefined) return hit ?? undefined;
    const v = this.view.get(field);
    let out: StringValues | null = null;
    if (v !== undefined) {
      const raw = Array.isArray(v) ? (v as readonly FieldScalar[]).map(scalarToString) : [scalarToString(v as FieldScalar)];
      out = { raw, lower: raw.map((s) => s.toLowerCase()) };
    }
    this.strCache.set(field, out);
    return out ?? undefined;
  }

  /** Every payload string, for keyword search. */
  keywords(): StringValues {
    if (!this.keywordCache) {
      const raw = this.view.values();
      this.keywordCache = { raw, lower: raw.map((s) => s.toLowerCase()) };
    }
    return this.keywordCache;
  }
}

/** A compiled test over one event. */
export type Predicate = (ctx: EvalContext) => boolean;
