import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileSource } from '../../cli/file-source.js';
import type { EventJson, JsonValue } from '../../parsers/common/event.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import { readEvtxRecords } from '../../parsers/evtx/index.js';
import { SAMPLES, requireCorpus } from '../support/paths.js';

async function firstWithId(path: string, eventId: number): Promise<EventJson> {
  const src = await openFileSource(path);
  try {
    for await (const o of readEvtxRecords(src, {})) if (o.ok && summarizeEvent(o.record.event).eventId === eventId) return o.record.event;
  } finally {
    await src.close?.();
  }
  throw new Error(`no ${eventId} in ${path}`);
}

/** Element names (and attribute names) of an event, values left out: the record's shape. */
function shape(v: JsonValue | undefined): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'number' ? 'number' : typeof v;
  if (Array.isArray(v)) return v.map(shape);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
}

/** The System values a provider writes the same on every host (not times, ids, computers). */
function fixedSystem(ev: EventJson): unknown {
  const s = ev.Event['System'] as Record<string, JsonValue>;
  return { Provider: s['Provider'], EventID: s['EventID'], Version: s['Version'], Level: s['Level'], Task: s['Task'], Opcode: s['Opcode'], Keywords: s['Keywords'], Channel: s['Channel'] };
}

const LOGS = join(SAMPLES, 'host-wiped', 'Windows', 'System32', 'winevt', 'Logs');
const CLEARED = 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1070.001-Clear Windows event logs/ID104-1102-Event log cleared.evtx';
const AUDIT = 'mdecrevoisier_EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1562.002-Disable Windows Event Logging/ID4719-Audit policy deactivation.evtx';

describe("host-wiped's clearing and audit records have the shape of real ones", () => {
  it.each([
    ['Security.evtx', 1102, CLEARED],
    ['System.evtx', 104, CLEARED],
    ['Security.evtx', 4719, AUDIT],
  ] as const)('%s %i', async (log, id, real) => {
    const ours = await firstWithId(join(LOGS, log), id);
    const theirs = await firstWithId(join(requireCorpus('evtx'), real), id);
    expect(fixedSystem(ours)).toEqual(fixedSystem(theirs));
    const payload = (e: EventJson): unknown => shape(e.Event['UserData'] ?? e.Event['EventData']);
    expect(payload(ours)).toEqual(payload(theirs));
  });
});
