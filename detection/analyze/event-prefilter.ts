import { summarizeEvent, type EventJson, type EventSummary } from '../../parsers/common/event.js';
import { ESP_EVENT_IDS, isMssqlProvider } from '../esp/events.js';
import { createEventView, type RuleSet } from '../sigma/index.js';
import type { NeedleProbe } from '../../parsers/evtx/index.js';

/**
 * Which events the analysis needs whole, decided from `Event.System` (the head a scan
 * reads without rendering the record) and the record's texts: those some Sigma rule may
 * match (the rule set's Channel × EventID index and the rules' needles, see
 * RuleSet.mayMatch) and those that can name an ESP DLL
 * (detection/esp/events.ts espEventDll). Every other record only counts towards the
 * statistics (records, first/last time, EventIDs, computers, providers), which the head
 * gives exactly. When unsure, the answer is yes: a missed event is a missed detection.
 */

const ESP_IDS: ReadonlySet<number> = new Set(Object.values(ESP_EVENT_IDS));

/** espEventDll can only return a DLL for these heads (Sysmon 7, SQL Server's ESP messages). */
export function mayNameEspDll(s: EventSummary): boolean {
  if (/sysmon/i.test(s.provider) || /sysmon/i.test(s.channel)) return s.eventId === 7;
  return isMssqlProvider(s.provider) && ESP_IDS.has(s.eventId);
}

/** The `want` of an EVTX scan for an analysis with `rules`. */
export function analysisWants(rules: RuleSet): (head: EventJson, holds?: NeedleProbe) => boolean {
  return (head, holds) => rules.mayMatch(createEventView(head), holds) || mayNameEspDll(summarizeEvent(head));
}
