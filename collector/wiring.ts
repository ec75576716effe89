/**
 * The production implementations of the collector's injected functions: the EVTX parser
 * for phase one (DLL names in the logs). Tests inject their own.
 */
import { readEvtxRecords } from '../parsers/evtx/index.js';
import type { EventReader } from './classify.js';

/** Events of one EVTX file; records that fail to parse are skipped (phase one only needs names). */
export const evtxEventReader: EventReader = async function* (source) {
  for await (const o of readEvtxRecords(source)) if (o.ok) yield o.record.event;
};
