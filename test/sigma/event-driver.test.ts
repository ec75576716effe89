import { describe, expect, it } from 'vitest';
import { DetectionDriver, Hunter, eventTimeKey, loadRules } from '../../detection/sigma/index.js';
import type { EventJson } from '../../parsers/common/event.js';
import { LOGIN_RULES, mssqlEvent } from './helpers.js';

const RULES = `${LOGIN_RULES}---
title: success after failure
id: 10000000-0000-4000-8000-000000000006
correlation:
    type: temporal_ordered
    rules:
        - failed_login
        - login_ok
    group-by:
        - ClientAddress
    timespan: 10m
level: high
`;

const { rules, errors } = loadRules([{ path: 'r.yml', text: RULES }]);
const fail = (time: string): EventJson => mssqlEvent(18456, ['sa', 'Reason: x [CLIENT: 10.0.0.1]'], { time });
const ok = (time: string): EventJson => mssqlEvent(18454, ['sa', '[CLIENT: 10.0.0.1]'], { time });

function correlate(events: [EventJson, string][], skip?: (tag: string) => boolean): string[][] {
  const d = new DetectionDriver<string>(rules);
  for (const [e, tag] of events) d.match(e, (e.Event['System'] as { TimeCreated: { '#attributes': { SystemTime: string } } }).TimeCreated['#attributes'].SystemTime, tag);
  return d.correlate(skip).map((c) => c.tags.map((t) => t ?? '?'));
}

describe('DetectionDriver: one event driver for hunt and analyze', () => {
  it('loads', () => expect(errors).toEqual([]));

  it('correlates in event-time order whatever the arrival order', () => {
    const f = fail('2024-05-01T10:00:00.0000000Z');
    const o = ok('2024-05-01T10:00:30.0000000Z');
    expect(
      correlate([
        [o, 'ok'],
        [f, 'fail'],
      ]),
    ).toEqual([['fail', 'ok']]);
    expect(
      correlate([
        [f, 'fail'],
        [o, 'ok'],
      ]),
    ).toEqual([['fail', 'ok']]);
  });

  it('orders within one millisecond by the 100 ns digits EVTX keeps, then by arrival', () => {
    // The success is 2.35 µs before the failure: not "success after failure".
    const f = fail('2024-05-01T10:00:00.0001234Z');
    const o = ok('2024-05-01T10:00:00.0000999Z');
    expect(
      correlate([
        [f, 'fail'],
        [o, 'ok'],
      ]),
    ).toEqual([]);
    // Same instant: arrival order decides.
    const same = '2024-05-01T10:00:00.0001234Z';
    expect(
      correlate([
        [fail(same), 'fail'],
        [ok(same), 'ok'],
      ]),
    ).toEqual([['fail', 'ok']]);
  });

  it('leaves out what the caller skips (events counted twice) and events without a time', () => {
    const f = fail('2024-05-01T10:00:00.0000000Z');
    const o = ok('2024-05-01T10:00:30.0000000Z');
    expect(
      correlate(
        [
          [f, 'fail'],
          [o, 'ok'],
        ],
        (t) => t === 'fail',
      ),
    ).toEqual([]);
    expect(
      correlate([
        [fail('not a time'), 'fail'],
        [o, 'ok'],
      ]),
    ).toEqual([]);
  });

  it('Hunter reports the same correlation through it', () => {
    const h = new Hunter(rules);
    h.push({ event: ok('2024-05-01T10:00:30.0000000Z'), file: 'b.evtx', recordId: 2 });
    h.push({ event: fail('2024-05-01T10:00:00.0000000Z'), file: 'a.evtx', recordId: 1 });
    const rows = h.finish();
    expect(rows.map((r) => [r.title, r.file, r.recordId])).toEqual([['success after failure', 'b.evtx', 2]]);
  });

  it('eventTimeKey keeps the digits past the millisecond', () => {
    expect(eventTimeKey('2024-05-01T10:00:00.0001234Z')).toEqual([Date.UTC(2024, 4, 1, 10), 123_400]);
    expect(eventTimeKey('2024-05-01T10:00:00.123Z')).toEqual([Date.UTC(2024, 4, 1, 10) + 123, 0]);
    expect(eventTimeKey('')).toBeUndefined();
  });
});
