import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDeadExports } from './dead-exports.js';

const root = new URL('../..', import.meta.url).pathname;

/**
 * Exports no product module uses, each kept for a stated reason. The list may only shrink: an
 * entry whose export is gone or now used fails too, so it is deleted with the code.
 */
const KEPT: Readonly<Record<string, string>> = {
  'parsers/sql-exports/delimited.ts#parseDelimited': 'the whole-text reader, the model its record-at-a-time form is checked against',
  'collector/fs-memory.ts#memoryFsView': 'the in-memory FsView that collector tests run against',
  'collector/fs-memory.ts#withFaults': 'fault injection for the FsView in collector tests',
  'detection/sigma/check-select.ts#checkSelect': 'one-rule, one-event matcher the Sigma conformance tests use',
  'collector/sql/triage-sql.ts#sectionSql': 'one section of the triage script, checked section by section by its tests',
  'parsers/common/time.ts#filetimeToIso': 'the reference FILETIME conversion that the EVTX hot path inlines; its tests pin both',
  'parsers/errorlog/messages.ts#mssqlMessageTemplate': 'message template lookup the sample story tests use',
  'parsers/evtx/binxml/tokens.ts#Token': 'the union derived from the TOKEN constant object',
  'parsers/evtx/binxml/tokens.ts#ValueType': 'the union derived from the VALUE_TYPE constant object',
  'parsers/evtx/chunk-header.ts#CHUNK_SIGNATURE': 'pending removal with the EVTX parser rework (the check compares bytes inline)',
  'collector/zip-aes.ts#AES_METHOD': 'pending removal with the zip reader rework',
  'parsers/sql-exports/kinds.ts#specOf': 'pending removal with the SQL export parser rework',
  'parsers/sql-exports/types.ts#SqlExportSetOf': 'pending removal with the SQL export parser rework',
};

describe('dead exports', () => {
  it('every export of the product is imported by the product, or kept for a stated reason', () => {
    const dead = findDeadExports(root)
      .filter((d) => !d.usedLocally)
      .map((d) => `${d.file}#${d.name}`);
    const unexplained = dead.filter((d) => !(d in KEPT));
    expect(unexplained, `exports nothing uses (delete them, or say in KEPT why they stay):\n${unexplained.join('\n')}`).toEqual([]);
    const stale = Object.keys(KEPT).filter((k) => !dead.includes(k));
    expect(stale, `no longer dead or gone: delete from KEPT:\n${stale.join('\n')}`).toEqual([]);
  });
});

describe('findDeadExports', () => {
  it('follows re-exports to the origin, counts lazy and namespace imports, and tells export-only from dead code', () => {
    const tree = mkdtempSync(join(tmpdir(), 'espy-dead-'));
    try {
      const put = (file: string, text: string): void => {
        mkdirSync(dirname(join(tree, file)), { recursive: true });
        writeFileSync(join(tree, file), text);
      };
      for (const layer of ['cli', 'collector', 'detection', 'parsers', 'report-templates', 'scripts']) mkdirSync(join(tree, layer), { recursive: true });
      put('parsers/a.ts', 'export const used = 1;\nexport const unused = 2;\nexport const local = 3;\nexport const twice = local + 1;\n');
      put('parsers/index.ts', "export * from './a.js';\nexport { lazy } from './lazy.js';\n");
      put('parsers/lazy.ts', 'export const lazy = 1;\nexport const alsoLazy = 2;\n');
      put('parsers/ns.ts', 'export const n1 = 1;\n');
      put('detection/d.ts', "import { used, twice } from '../parsers/index.js';\nimport * as ns from '../parsers/ns.js';\nexport const d = used + twice + ns.n1;\n");
      put('cli/main.ts', "export async function main(): Promise<number> {\n  return (await import('../parsers/lazy.js')).lazy;\n}\n");
      put('scripts/s.ts', "import { d } from '../detection/d.js';\nconsole.log(d);\n");
      const dead = findDeadExports(tree).map((x) => `${x.file}#${x.name}${x.usedLocally ? ' (local)' : ''}`);
      expect(dead.sort()).toEqual(['parsers/a.ts#local (local)', 'parsers/a.ts#unused']);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
