import { createHash } from 'node:crypto';
import { ORDINAL_NAMES } from './ordinal-names.js';
import type { PeImport } from './types.js';

const IMPHASH_STRIPPED_EXTENSIONS = new Set(['ocx', 'sys', 'dll']);

/**
 * The import hash as pefile's `get_imphash` computes it (Mandiant's definition): for each
 * import (not delay-import) in order, `libname.funcname` lower-cased, where libname drops a
 * `.dll`/`.ocx`/`.sys` extension and an ordinal import becomes its known name or `ordN`;
 * joined with commas, MD5, hex. '' when the file has no import table.
 */
export function computeImphash(imports: readonly PeImport[], hasImportTable: boolean): string {
  if (!hasImportTable) return '';
  const parts: string[] = [];
  for (const imp of imports) {
    let lib = imp.dll.toLowerCase();
    const dot = lib.lastIndexOf('.');
    if (dot >= 0 && IMPHASH_STRIPPED_EXTENSIONS.has(lib.slice(dot + 1))) lib = lib.slice(0, dot);
    const table = ORDINAL_NAMES[imp.dll.toLowerCase()];
    for (const f of imp.functions) {
      const name = f.name ?? (f.ordinal === null ? null : (table?.[f.ordinal] ?? `ord${f.ordinal}`));
      if (!name) continue;
      parts.push(`${lib}.${name.toLowerCase()}`);
    }
  }
  return createHash('md5').update(parts.join(','), 'latin1').digest('hex');
}
