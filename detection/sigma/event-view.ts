import { elementAttribute, elementText, type EventJson, type JsonObject, type JsonValue } from '../../parsers/common/event.js';
import { DERIVED_FIELDS, SYSTEM_FIELDS } from './mappings/fields.js';
import { MAX_USERDATA_DEPTH } from './limits.js';
import type { EventView, FieldScalar, FieldValue } from './types.js';

/** Renders an event's message where espy knows the template (e.g. SQL Server's table). */
export type MessageRenderer = (event: EventJson) => string | undefined;

export interface EventViewOptions {
  /** The `Message` field. Without it (or when it returns undefined) `Message` is every EventData value. */
  message?: MessageRenderer;
}

const asObject = (v: JsonValue | undefined): JsonObject | undefined => (v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined);

/** Scalar(s) of an element value: `#text` unwrapped, arrays flattened one level, objects without text dropped. */
function toFieldValue(v: JsonValue | undefined): FieldValue | undefined {
  const t = elementText(v);
  if (t === undefined) return undefined;
  if (t === null || typeof t !== 'object') return t;
  if (Array.isArray(t)) {
    const out: FieldScalar[] = [];
    for (const x of t) {
      const s = elementText(x);
      if (s === null || (s !== undefined && typeof s !== 'object')) out.push(s);
    }
    return out;
  }
  return undefined;
}

function pushScalars(v: JsonValue | undefined, out: string[], depth: number, skipKeys?: Set<string>): void {
  if (v === undefined || v === null || depth > MAX_USERDATA_DEPTH) return;
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) pushScalars(x, out, depth + 1);
  else
    for (const [k, x] of Object.entries(v)) {
      if (k === '#attributes' || skipKeys?.has(k)) continue;
      pushScalars(x, out, depth + 1);
    }
}

function findKey(v: JsonValue | undefined, key: string, depth: number): JsonValue | undefined {
  const o = asObject(v);
  if (!o || depth > MAX_USERDATA_DEPTH) return undefined;
  if (key in o) return o[key];
  for (const [k, x] of Object.entries(o)) {
    if (k === '#attributes') continue;
    const hit = findKey(x, key, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

const SKIP_BINARY = new Set(['Binary']);

class JsonEventView implements EventView {
  readonly event: EventJson;
  private readonly system: JsonObject;
  private readonly eventData: JsonObject | undefined;
  private readonly userData: JsonValue | undefined;
  private readonly opts: EventViewOptions;
  private valuesCache: string[] | undefined;
  private messageCache: string | null | undefined;

  constructor(event: EventJson, opts: EventViewOptions) {
    this.event = event;
    const ev = asObject(event?.Event as JsonValue) ?? {};
    this.system = asObject(ev['System']) ?? {};
    this.eventData = asObject(ev['EventData']);
    this.userData = ev['UserData'];
    this.opts = opts;
  }

  private payloadValues(): string[] {
    const out: string[] = [];
    pushScalars(this.eventData, out, 0, SKIP_BINARY);
    pushScalars(this.userData, out, 0);
    return out;
  }

  private message(): string | undefined {
    if (this.messageCache === undefined) this.messageCache = this.opts.message?.(this.event) ?? null;
    return this.messageCache ?? undefined;
  }

  get(path: string): FieldValue | undefined {
    const sys = SYSTEM_FIELDS[path];
    if (sys) {
      const el = this.system[sys.element];
      return toFieldValue(sys.attribute ? elementAttribute(el, sys.attribute) : el);
    }
    const derived = DERIVED_FIELDS[path];
    if (derived) {
      const src = this.get(derived.from);
      const list = src === undefined ? [] : Array.isArray(src) ? (src as readonly FieldScalar[]) : [src as FieldScalar];
      for (const s of list) {
        if (typeof s !== 'string') continue;
        for (const re of derived.patterns) {
          const m = re.exec(s);
          if (m?.[1] !== undefined) return m[1];
        }
      }
      return undefined;
    }
    if (path === 'Data') {
      const d = this.eventData?.['Data'];
      if (d !== undefined) return toFieldValue(d);
      return undefined;
    }
    if (path === 'Message') {
      const m = this.message();
      if (m !== undefined) return m;
      if (this.eventData && 'Message' in this.eventData) return toFieldValue(this.eventData['Message']);
      const all: string[] = [];
      pushScalars(this.eventData, all, 0, SKIP_BINARY);
      return all.length ? all : undefined;
    }
    if (path.includes('.')) {
      let cur: JsonValue | undefined = this.event.Event;
      for (const part of path.split('.')) {
        const o = asObject(cur);
        if (!o) {
          cur = undefined;
          break;
        }
        cur = part in o ? o[part] : elementAttribute(o as JsonValue, part);
      }
      if (cur !== undefined) return toFieldValue(cur);
    }
    if (this.eventData && path in this.eventData) return toFieldValue(this.eventData[path]);
    if (this.userData !== undefined) {
      const hit = findKey(this.userData, path, 0);
      if (hit !== undefined) return toFieldValue(hit);
    }
    return undefined;
  }

  values(): readonly string[] {
    if (!this.valuesCache) {
      this.valuesCache = this.payloadValues();
      const m = this.message();
      if (m !== undefined) this.valuesCache.push(m);
    }
    return this.valuesCache;
  }
}

/** A Sigma document view over one evtx_dump-shaped event (see mappings/fields.ts for the resolution order). */
export function createEventView(event: EventJson, opts: EventViewOptions = {}): EventView {
  return new JsonEventView(event, opts);
}
