import { isoWithPrecision } from '../../common/index.js';
import type { Scalar, Value } from './model.js';
import { NODE_TYPE, VALUE_ARRAY_FLAG, VALUE_TYPE } from './tokens.js';

/**
 * Value → text, shared by the JSON and XML renderers (omerbenamram `value_render.rs`).
 * JSON mode follows evtx_dump: FILETIME/SYSTEMTIME with 6 fractional digits, GUIDs
 * upper-case without braces. XML mode follows Event Viewer / evtxexport: GUIDs in braces,
 * times with the full 7 fractional digits.
 */
export type TextMode = 'json' | 'xml';

/** Shortest decimal that reads back as the same float32. */
function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p < 10; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

export function scalarText(t: number, v: Scalar, mode: TextMode): string {
  switch (t) {
    case VALUE_TYPE.guid:
      return mode === 'xml' ? `{${String(v)}}` : String(v);
    case VALUE_TYPE.filetime:
    case VALUE_TYPE.systemtime:
      return mode === 'json' && typeof v === 'string' && v.endsWith('Z') ? isoWithPrecision(v, 6) : String(v);
    case VALUE_TYPE.real32:
      return float32Text(v as number);
    default:
      return String(v);
  }
}

/** The text of a value as it appears inside an element or attribute (unescaped). */
export function valueText(x: Value, mode: TextMode): string {
  const { t, v } = x;
  if (v === null) return '';
  switch (t) {
    case NODE_TYPE.charRef:
      return mode === 'json' ? `&#${String(v)};` : String.fromCodePoint(v as number);
    case NODE_TYPE.entityRef:
      return `&${String(v)};`;
    case NODE_TYPE.pi:
      return '';
    default:
      break;
  }
  if (Array.isArray(v)) {
    const base = t & ~VALUE_ARRAY_FLAG;
    return v.map((s) => scalarText(base, s, mode)).join(',');
  }
  // PI payloads returned above; the only other objects are json-plan.ts's slot markers,
  // which render as their own text.
  if (typeof v === 'object') return String(v);
  return scalarText(t, v, mode);
}

/** True for values that render as nothing (null, empty string, PI in text context). */
export function isEmptyValue(x: Value): boolean {
  if (x.v === null || x.t === NODE_TYPE.pi) return true;
  if (typeof x.v === 'string') return x.v.length === 0;
  if (Array.isArray(x.v)) return x.v.length === 0;
  return false;
}

/** Integer and bool types evtx_dump writes as JSON numbers / booleans. */
export function isJsonNumberType(t: number): boolean {
  return (t >= VALUE_TYPE.int8 && t <= VALUE_TYPE.uint64) || t === VALUE_TYPE.bool;
}
