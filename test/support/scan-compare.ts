import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvidenceArtefact, EvidenceSet } from '../../detection/evidence.js';
import { scanEvents, type EventScanResult } from '../../detection/analyze/scan-events.js';
import type { RuleSet } from '../../detection/sigma/index.js';
import { memorySource } from '../../parsers/common/byte-source.js';
import { REPO_ROOT, requireCorpus } from './paths.js';

/** espy's shipped Sigma rules, as the CLI loads them. */
export function shippedSigmaFiles(): { path: string; text: string }[] {
  const dir = join(REPO_ROOT, 'rules', 'sigma');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .map((f) => ({ path: `rules/sigma/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Every `*.yml` under `dir` (recursively), as rule files. */
export function sigmaFilesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.ya?ml$/i.test(e.name)) continue;
    const p = join(e.parentPath, e.name);
    out.push({ path: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

/** Every EVTX file of the shared corpus, sorted. */
export function corpusEvtxFiles(): string[] {
  return readdirSync(requireCorpus('evtx'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.evtx$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** An evidence set of loose EVTX files, each read whole into memory when opened. */
export function evtxFilesEvidence(files: readonly string[]): { evidence: EvidenceSet; artefacts: EvidenceArtefact[] } {
  const byPath = new Map<string, string>();
  const artefacts = files.map((f, i): EvidenceArtefact => {
    const originalPath = `C:\\Logs\\${i}\\${f.split('/').pop() ?? 'x.evtx'}`;
    byPath.set(originalPath, f);
    return { originalPath, kind: 'evtx', size: readFileSync(f).length };
  });
  const evidence: EvidenceSet = {
    kind: 'folder',
    location: 'test',
    list: () => Promise.resolve(artefacts),
    open: (a) => Promise.resolve(memorySource(readFileSync(byPath.get(a.originalPath) as string))),
    lookup: () => Promise.resolve(undefined),
    hostInfo: () => Promise.resolve(undefined),
  };
  return { evidence, artefacts };
}

/** What an analysis takes from an event scan, in a form `toEqual` compares. */
export function scanFacts(r: EventScanResult): unknown {
  const where = (e: { artefact: string; origin: unknown }): string => `${e.artefact} ${JSON.stringify(e.origin)}`;
  return {
    hits: r.hits.map((h) => ({ rule: h.ruleId, at: where(h.event), related: h.related?.map(where), fields: h.fields, event: h.event.event })),
    events: r.events.map((e) => ({ at: where(e), summary: e.summary, message: e.message, event: e.event })),
    stats: r.stats.map((s) => ({ ...s, eventIds: [...s.eventIds].sort((a, b) => a - b) })),
    errors: r.errors,
    computers: [...r.computers].sort(),
    providers: [...r.providers].sort(),
    banners: r.banners,
  };
}

/** The scan with the prefilter and the scan rendering every record. */
export async function scanBothWays(evidence: EvidenceSet, artefacts: readonly EvidenceArtefact[], rules: RuleSet): Promise<{ fast: EventScanResult; full: EventScanResult }> {
  const fast = await scanEvents(evidence, artefacts, { rules });
  const full = await scanEvents(evidence, artefacts, { rules, prefilter: false });
  return { fast, full };
}
