/**
 * Physical lines → entries: a line with a timestamp starts an entry, the lines after it are
 * its continuations. An entry is handed on when the next one starts (or at the end), so only
 * one entry is ever held.
 */
import { parseHeadLine, type HeadLine } from './entry-line.js';
import type { Findings } from './findings.js';
import { MAX_CONTINUATION_LINES, MAX_ENTRY_CHARS } from './limits.js';

export interface RawEntry {
  line: number;
  offset: number;
  lineCount: number;
  head: HeadLine;
  /** Continuation lines (most entries have none: no array then). */
  parts?: string[];
  chars: number;
  /** The joined text, computed once. */
  text?: string;
  capped: boolean;
}

/** The entry's text: first line plus continuations, trailing white space dropped. */
export function entryText(r: RawEntry): string {
  r.text ??= r.parts ? `${r.head.text}\n${r.parts.join('\n')}`.trimEnd() : r.head.text;
  return r.text;
}

export class EntryGrouper {
  /** Lines fed so far. */
  lineCount = 0;
  private current: RawEntry | undefined;
  private orphans = 0;
  private firstOrphan: { line: number; offset: number } | undefined;

  private readonly out: Findings | undefined;
  private readonly onEntry: (r: RawEntry) => void;

  /** `out`: where diagnostics go (undefined: a second pass, they were reported by the first). */
  constructor(out: Findings | undefined, onEntry: (r: RawEntry) => void) {
    this.out = out;
    this.onEntry = onEntry;
  }

  feed(text: string, offset: number): void {
    const lineNo = ++this.lineCount;
    const head = parseHeadLine(text);
    if (head) {
      if (this.current) this.onEntry(this.current);
      this.current = { line: lineNo, offset, lineCount: 1, head, chars: head.text.length, capped: false };
      return;
    }
    const current = this.current;
    if (!current) {
      if (text.trim() !== '') {
        this.orphans++;
        this.firstOrphan ??= { line: lineNo, offset };
      }
      return;
    }
    current.lineCount++;
    if (current.capped) return;
    // Continuation line: keep leading whitespace (startup parameters are tab-indented).
    const cont = text.trimEnd();
    if ((current.parts?.length ?? 0) >= MAX_CONTINUATION_LINES || current.chars + cont.length + 1 > MAX_ENTRY_CHARS) {
      current.capped = true;
      this.out?.diag('ENTRY_TOO_LONG', lineNo, offset, `entry at line ${current.line} cut: more than MAX_CONTINUATION_LINES/MAX_ENTRY_CHARS`);
      return;
    }
    (current.parts ??= []).push(cont);
    current.chars += cont.length + 1;
  }

  /** Hands on the last entry; reports lines before the first entry. */
  end(): void {
    if (this.current) this.onEntry(this.current);
    this.current = undefined;
    if (this.firstOrphan) {
      const { line, offset } = this.firstOrphan;
      this.out?.diag('ORPHAN_LINES', line, offset, `${this.orphans} line(s) before the first timestamped entry (file starts mid-entry?)`);
    }
  }
}
