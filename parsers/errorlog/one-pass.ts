/**
 * The ERRORLOG machine for a forward-only source (bytes that stream past once, as a log being
 * copied into an evidence bundle): one pass instead of two. The whole-file facts are taken
 * from a look-ahead of the first entries (the banner is the log's first dozen entries), the
 * entries held meanwhile are bounded by LOOKAHEAD_ENTRIES and LOOKAHEAD_CHARS. At the end the
 * facts of the whole file are computed as the two-pass parser does; when they differ from the
 * look-ahead's (a log whose banner or layout comes late: tampered, or cut), a
 * FACTS_AFTER_LOOKAHEAD diagnostic says which values the events were built with.
 */
import { EntryBuilder } from './entries.js';
import { FactsPass, type ErrorlogHeader } from './facts.js';
import { Findings } from './findings.js';
import { EntryGrouper, type RawEntry } from './group.js';
import { LOOKAHEAD_CHARS, LOOKAHEAD_ENTRIES } from './limits.js';
import { prologue, walk, type ErrorlogSummary, type LineHook, type Machine } from './stream.js';
import type { ErrorlogEntry, ErrorlogParseOptions } from './types.js';

export function* errorlogOnePass(size: number, opts: ErrorlogParseOptions, windowBytes: number, onLine?: LineHook): Machine<ErrorlogSummary> {
  const window = Math.max(1, Math.floor(windowBytes));
  const { encoding, out } = yield* prologue(size);
  const facts = new FactsPass();
  // The builder's diagnostics and errors come after the header's, as in two passes.
  const late = new Findings();
  const held: RawEntry[] = [];
  let heldChars = 0;
  let builder: EntryBuilder | undefined;
  let header: ErrorlogHeader | undefined;
  const ready: ErrorlogEntry[] = [];
  const grouper = new EntryGrouper(out, (r) => {
    facts.add(r);
    if (builder) return builder.push(r, ready);
    held.push(r);
    heldChars += r.chars;
    if (held.length >= LOOKAHEAD_ENTRIES || heldChars >= LOOKAHEAD_CHARS) settle();
  });
  const settle = (): void => {
    header = facts.provisional(encoding, grouper.lineCount, opts);
    builder = new EntryBuilder(header, late);
    for (const r of held) builder.push(r, ready);
    held.length = 0;
  };
  let announced = false;
  function* flush(): Machine<void> {
    if (header && !announced) {
      announced = true;
      yield { kind: 'header', header };
    }
    for (const entry of ready) yield { kind: 'entry', entry };
    ready.length = 0;
  }
  yield* walk({ size, encoding, window, grouper, out, flush, onLine, canReread: false });
  grouper.end();
  const final = facts.finish(out, encoding, grouper.lineCount, opts);
  if (!builder) settle();
  (builder as EntryBuilder).end(ready);
  if (header) compare(header, final, out);
  yield* flush();
  out.replayAll(late);
  out.finish();
  const { banner, layout, provider, computer, lineCount } = final;
  return { encoding: encoding.encoding, layout, banner, provider, computer, lineCount, diagnostics: out.diagnostics, errors: out.errors };
}

/** Reports a difference between the look-ahead's facts and the whole file's. */
function compare(seen: ErrorlogHeader, final: ErrorlogHeader, out: Findings): void {
  const diff: string[] = [];
  if (seen.layout !== final.layout) diff.push(`layout ${seen.layout} (file: ${final.layout})`);
  if (seen.provider !== final.provider) diff.push(`provider ${seen.provider} (file: ${final.provider})`);
  if (seen.computer !== final.computer) diff.push(`computer '${seen.computer}' (file: '${final.computer}')`);
  if (seen.basis !== final.basis || seen.initialMinutes !== final.initialMinutes) diff.push(`UTC offset ${seen.initialMinutes} min, ${seen.basis} (file: ${final.initialMinutes} min, ${final.basis})`);
  if (diff.length === 0) return;
  out.diag('FACTS_AFTER_LOOKAHEAD', 0, 0, `read in one pass: events built with the first ${seen.rawEntries} entries' ${diff.join(', ')}`);
}
