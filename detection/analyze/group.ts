import { espEventDll } from '../esp/events.js';
import type { SourcedEvent } from './inputs.js';
import { normalizeWinPath } from './windows-paths.js';

/**
 * `items` grouped by `key` (undefined: left out), each group in the items' order: built once, so
 * that finding the items of one key is a lookup, not a pass over every item (evidence can name
 * a hundred thousand DLLs or rules can match a million events).
 */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K | undefined): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The ESP events by the DLL they name (normalised, lower case), each with its place in `events`. */
export function espEventIndex(events: readonly SourcedEvent[]): Map<string, { at: number; ev: SourcedEvent }[]> {
  return groupBy(
    events.map((ev, at) => ({ at, ev })),
    ({ ev }) => {
      const named = espEventDll(ev.event, ev.summary);
      return named ? normalizeWinPath(named.dll).toLowerCase() : undefined;
    },
  );
}
