/**
 * What the evidence claims about itself, against what is there: a bundle's manifest and its
 * `.sha256` sidecar, or a manifest.json found in a tree that is no bundle. The analysis has
 * already read every file that is there, so a disagreement never changes what was checked;
 * it says the evidence is not what the collection wrote. Such findings come first.
 *
 * Severity is high, not critical: a disagreement proves the evidence changed after collection
 * (or a manifest was forged), which breaks the chain of custody, but not that the host is
 * compromised; the content decides that. High keeps the verdict from ever reading
 * NO_INDICATORS over evidence whose custody is broken.
 */
import type { EvidenceRef, Finding } from '../analysis-result.js';
import type { EvidenceIntegrity, ManifestDisagreement } from '../evidence.js';
import { excerpt } from './evidence-ref.js';

type Draft = Omit<Finding, 'id'>;

/** Disagreeing entries listed as evidence of the finding (the count has them all). */
export const MAX_MANIFEST_EVIDENCE = 50;

const NEXT_STEPS_MISMATCH = [
  'Run `espy verify <bundle>` to list every entry that disagrees with the manifest and the sidecar.',
  'Fetch the bundle again from the copy made at collection time and compare its SHA-256 with the one recorded then (the collection log, the case notes).',
  'Treat extra or altered files as possibly planted and missing ones as possibly removed evidence: collect them again from the host or the image.',
];

const NEXT_STEPS_STRAY = [
  "Find out who put manifest.json at the root of this evidence and when (file system times, the image's chain of custody): espy, KAPE and Velociraptor never write one there.",
  'Compare the image with its acquisition hash; if it was changed, analyse the original acquisition instead.',
];

function disagreementRef(d: ManifestDisagreement): EvidenceRef {
  return { artefact: d.name, storedPath: d.name, kind: 'manifest', excerpt: excerpt(`${d.problem}: ${d.detail}`) };
}

function countBy(ds: readonly ManifestDisagreement[]): string {
  const n = new Map<string, number>();
  for (const d of ds) n.set(d.problem, (n.get(d.problem) ?? 0) + 1);
  return [...n].map(([p, k]) => `${k} ${p}`).join(', ');
}

function manifestDraft(i: EvidenceIntegrity, artefacts: number): Draft | undefined {
  const base = { ruleId: 'bundle.manifest-mismatch', severity: 'high' as const, attack: ['T1070'], source: 'coverage' as const };
  const where = i.manifestPath ?? 'manifest.json';
  if (i.manifest === 'ignored') {
    const claims = i.claimedFiles === undefined ? 'It is not a manifest espy can read' : `It lists ${i.claimedFiles} file(s)`;
    return {
      ...base,
      title: 'A manifest.json at the root of the evidence was ignored: this tree is not an espy bundle',
      explanation: `${where} sits at the root of a tree laid out as a drive image or a collection, where no collection tool writes one. ${claims}; espy read the tree itself and analysed the ${artefacts} artefact(s) found in it. A manifest placed there can only be meant to make a tool read less than is there.`,
      nextSteps: NEXT_STEPS_STRAY,
      evidence: [{ artefact: where, kind: 'manifest', excerpt: excerpt(i.excerpt ?? '') }],
      count: 1,
    };
  }
  if (i.manifest === 'missing' || i.manifest === 'invalid') {
    const listed = i.disagreements.filter((d) => d.problem === 'refused').map(disagreementRef);
    return {
      ...base,
      title: i.manifest === 'missing' ? 'The bundle has no manifest: espy always writes one' : "The bundle's manifest is not an espy manifest",
      explanation: `${i.manifestError ?? 'The manifest cannot be read'}. A bundle written by espy always ends with a valid manifest.json, so this one was changed after collection. espy analysed the ${artefacts} artefact(s) in the bundle by their stored names; none of their hashes could be checked against the collection.`,
      nextSteps: NEXT_STEPS_MISMATCH,
      evidence: [{ artefact: where, kind: 'manifest' as const, excerpt: excerpt(i.manifestError ?? 'no manifest') }, ...listed].slice(0, MAX_MANIFEST_EVIDENCE),
      count: 1 + i.disagreementCount,
    };
  }
  if (i.manifest !== 'disagrees' || i.disagreementCount === 0) return undefined;
  return {
    ...base,
    title: `The bundle's manifest disagrees with its content (${i.disagreementCount} entr${i.disagreementCount === 1 ? 'y' : 'ies'})`,
    explanation: `${where} records what the collection stored, with each file's size, SHA-256 and original path. Here ${countBy(i.disagreements)}${i.disagreementCount > i.disagreements.length ? ` (first ${i.disagreements.length} of ${i.disagreementCount} counted)` : ''}: missing = listed but not in the bundle, extra = in the bundle but not listed, altered = hash, size or path differs. espy analysed every file that is in the bundle, whatever the manifest says, so this did not change what was checked; but the bundle is not what the collection wrote, and whoever changed it may also have removed or replaced evidence.`,
    nextSteps: NEXT_STEPS_MISMATCH,
    evidence: i.disagreements.slice(0, MAX_MANIFEST_EVIDENCE).map(disagreementRef),
    count: i.disagreementCount,
  };
}

function sidecarDraft(i: EvidenceIntegrity): Draft | undefined {
  if (i.sidecar !== 'mismatch' || !i.bundleSha256) return undefined;
  return {
    ruleId: 'bundle.sidecar-mismatch',
    title: "The bundle's SHA-256 differs from its .sha256 sidecar",
    severity: 'high',
    attack: ['T1070'],
    source: 'coverage',
    explanation: `espy computed the SHA-256 of the zip from its bytes: ${i.bundleSha256}. The sidecar written beside it at collection says ${i.sidecarSha256 || 'something that is not a SHA-256'}. The zip was changed or replaced after collection (or the sidecar belongs to another bundle). The report shows the computed hash.`,
    nextSteps: NEXT_STEPS_MISMATCH,
    evidence: [{ artefact: 'sidecar (.sha256)', kind: 'manifest', excerpt: excerpt(`computed ${i.bundleSha256}; sidecar ${i.sidecarSha256 ?? '?'}`) }],
    count: 1,
  };
}

/** Findings about the evidence's own claims; `artefacts` is how many artefacts were analysed. */
export function findingsFromIntegrity(i: EvidenceIntegrity | undefined, artefacts: number): Draft[] {
  if (!i) return [];
  return [manifestDraft(i, artefacts), sidecarDraft(i)].filter((d): d is Draft => d !== undefined);
}

/** `first` ahead of the already ordered `rest`, all numbered again F001... */
export function leadWith(first: readonly Draft[], rest: readonly Finding[]): Finding[] {
  return [...first, ...rest.map(({ id: _id, ...d }) => d)].map((d, i) => ({ id: `F${String(i + 1).padStart(3, '0')}`, ...d }));
}
