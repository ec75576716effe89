/**
 * Property: whatever text the evidence holds, the report's markup structure (the sequence of
 * tags and attribute names) is the same as with harmless text. Only the visible-character
 * marker spans that escaping adds for hidden characters, bare `<code>` from backtick
 * spans and `<wbr>` after path separators are allowed extra.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { renderReport } from '../../report-templates/index.js';
import { maggieResult } from './fixtures.js';
import { GENERATED_AT, TEMPLATES } from './templates.js';

/** Puts `s` into every attacker-controlled string field (not ids, enums, times or ATT&CK ids). */
function fill(s: string): AnalysisResult {
  const r = maggieResult();
  r.host.name = s;
  r.host.domain = s;
  r.host.sqlInstances[0]!.name = s;
  r.command = s;
  r.source.path = s;
  r.verdict.reasons = [s, s];
  for (const f of r.findings) {
    f.title = s;
    f.explanation = s;
    f.nextSteps = f.nextSteps.map(() => s);
    for (const e of f.evidence) {
      e.excerpt = s;
      e.artefact = s;
      if (e.decisive !== undefined) e.decisive = s;
    }
  }
  for (const e of r.esps) {
    e.procedures = e.procedures.map(() => s);
    e.dll = s;
    e.dllPath = `${s}!`;
    e.reasons = e.reasons.map(() => s);
    if (e.file) e.file.yara = e.file.yara.map((y) => ({ ...y, rule: s, source: s }));
  }
  for (const l of r.logins) {
    l.name = s;
    l.type = s;
    l.source = s;
  }
  for (const t of r.timeline) {
    t.message = s;
    t.source = s;
    t.ref.artefact = s;
  }
  for (const c of r.coverage) c.notes = c.notes.map(() => s);
  r.collection!.log = [s, s];
  r.errors = [{ artefact: s, message: s }];
  return r;
}

const MARKER = /<span class=cc>[^<]*<\/span>/g;
const ID_ATTRS = /\s(?:id|href|data-v)="[^"]*"/g;

/**
 * Bare `<code>` tags are what `backtick spans` in explanations and next steps become, and
 * `<wbr>` follows each `\` or `/` of a path (both by design).
 */
function structure(doc: string): string[] {
  const body = doc.slice(0, doc.indexOf('<script type="application/json"')).replace(MARKER, '');
  return [...body.matchAll(/<\/?([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*\/?>/g)]
    .map((m) => `${m[1]}${(m[2] ?? '').replace(ID_ATTRS, '').replace(/="[^"]*"/g, '')}`)
    .filter((t) => t !== 'code' && t !== 'wbr');
}

describe('report structure does not depend on evidence text', () => {
  const baseline = structure(renderReport(fill('x'), TEMPLATES, { generatedAt: GENERATED_AT }));

  it('holds for arbitrary and hostile strings', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1 }),
      fc.constantFrom('<img src=x onerror=alert(1)>', '</script><script>alert(1)</script>', '" onmouseover=alert(1) x="', '\u202E\u2066<b>', '{{body}}', '`<i>`'),
    );
    fc.assert(
      fc.property(hostile, (s) => {
        const doc = renderReport(fill(s), TEMPLATES, { generatedAt: GENERATED_AT });
        expect(structure(doc)).toEqual(baseline);
      }),
      { numRuns: 40 },
    );
  });
});
