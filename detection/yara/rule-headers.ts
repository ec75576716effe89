/**
 * Rule names and tags from YARA source text (libyara-wasm reports neither tags nor which
 * source a rule came from). Comments and string/regex literals are blanked first so a
 * `rule x {` inside a string is not taken for a header.
 */

const HEADER = /(?:^|[\s;}])(?:(?:private|global)\s+)*rule\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([A-Za-z0-9_\s]*?))?\s*\{/g;

/** Replaces comments and literals with spaces, keeping offsets and newlines. */
export function blankCommentsAndLiterals(text: string): string {
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < text.length) {
    const c = text[i];
    const n = text[i + 1];
    if (c === '/' && n === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && n === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

export function ruleHeaders(text: string): { name: string; tags: string[] }[] {
  const clean = blankCommentsAndLiterals(text);
  const out: { name: string; tags: string[] }[] = [];
  for (const m of clean.matchAll(HEADER)) {
    const name = m[1];
    if (!name) continue;
    out.push({ name, tags: (m[2] ?? '').split(/\s+/).filter(Boolean) });
  }
  return out;
}
