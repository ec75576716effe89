/**
 * The DLL sweep's classifier is injected: detection (PE parsing, ESP heuristics, YARA)
 * decides what is kept; the collector only sniffs for a PE header first.
 */
import type { ByteSource } from '../parsers/common/byte-source.js';
import type { EventJson } from '../parsers/common/event.js';

export interface Classification {
  isPe: boolean;
  isEsp: boolean;
  reasons: string[];
  /** Names of the YARA rules that hit. */
  yara: string[];
}

/** Classifies one file's bytes (`originalPath` for location-based reasons). */
export type FileClassifier = (bytes: Uint8Array, originalPath: string) => Promise<Classification>;

/** Reads the events of one EVTX file (the EVTX parser, injected so the collector can be tested without it). */
export type EventReader = (source: ByteSource) => AsyncIterable<EventJson>;

/** Does the file start with the DOS header magic `MZ`? */
export function hasMzMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a;
}

/** The sweep keeps a PE that classifies as an ESP or hits a YARA rule. */
export function isKept(c: Classification): boolean {
  return c.isPe && (c.isEsp || c.yara.length > 0);
}
