/**
 * Hostile sizes for a collection: huge logs and exports, folders full of fake PEs, run in the
 * test worker to check the logic fast. The time is printed for the record, never asserted (two
 * shared cores in CI). No memory figure: the worker's peak RSS is that of everything it ran
 * since it started, not of one case; test/cli/hostile-collect.test.ts runs the same inputs
 * through the built CLI, one process per case, and prints each one's peak.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, MAX_SQL_TEXT_BYTES } from '../../collector/collect/index.js';
import { dllRefsFromErrorlog, dllRefsFromSqlExport } from '../../collector/dll-refs.js';
import { memoryFsView, type MemoryTree } from '../../collector/fs-memory.js';
import { planCollection } from '../../collector/plan/index.js';
import { MAX_NAMED_DLLS } from '../../detection/mssql/index.js';
import { baseOptions, fakeClassify, hostTree, INST } from './fixtures.js';
import { errorlogText, fakePe, tempDirs, testdir } from './testdir.js';

const { tmp, track } = tempDirs();

function measure<T>(label: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  return run().then((r) => {
    const ms = Math.round(performance.now() - t0);
    console.log(`${label}: ${ms} ms`);
    return r;
  });
}

describe('hostile sizes: linear work, no stack growth, the bundle is written', () => {
  it('line numbers of many matches are counted in one pass (right numbers)', () => {
    const text = errorlogText(["Using 'a.dll' version '1' to execute extended stored procedure 'x'.", 'other', "Using 'b.dll' version '1' to execute extended stored procedure 'y'."]);
    expect(dllRefsFromErrorlog(text, 'E').map((r) => r.reason)).toEqual(['E line 1', 'E line 3']);
    expect(dllRefsFromSqlExport('h\nx|a.dll\n\nb.dll\n', 'S').map((r) => r.reason)).toEqual(['S line 2', 'S line 4']);
  });

  it('an ERRORLOG with 150,000 "Using ..." lines, each naming another DLL', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++) lines.push(`Using 'C:\\Gone\\x${i}.dll' version '1.0' to execute extended stored procedure 'p${i}'.`);
    const tree = hostTree() as MemoryTree;
    const log = ((((tree['Program Files'] as MemoryTree)['Microsoft SQL Server'] as MemoryTree)[INST] as MemoryTree)['MSSQL'] as MemoryTree)['Log'] as MemoryTree;
    log['ERRORLOG'] = errorlogText(lines);
    const t = testdir(tree);
    track(t.cleanup);
    const logs: string[] = [];
    const r = await measure('150,000-line ERRORLOG collect', () => collect(baseOptions(t.dir, tmp('espy-out-'), { log: (_l, m) => logs.push(m) })));
    // The ERRORLOGs' budget of names: MAX_NAMED_DLLS looked for, one row for the rest.
    expect(logs.filter((l) => l.startsWith('DLL named by'))).toHaveLength(100);
    expect(logs).toContain(`... and ${MAX_NAMED_DLLS - 100} more DLL(s) named by the evidence that could not be found (each has its manifest row)`);
    expect(logs).toContain(`the evidence names more than ${MAX_NAMED_DLLS} distinct DLLs: ${150_000 - MAX_NAMED_DLLS} later reference(s) not looked for (the first: C:\\Gone\\x${MAX_NAMED_DLLS}.dll)`);
    const gone = r.manifest.files.filter((f) => f.originalPath.startsWith('C:\\Gone\\'));
    expect(gone).toHaveLength(MAX_NAMED_DLLS + 1);
    expect(gone.filter((f) => f.error === 'not present in the source')).toHaveLength(MAX_NAMED_DLLS);
    expect(gone.find((f) => f.originalPath === `C:\\Gone\\x${MAX_NAMED_DLLS}.dll`)?.error).toMatch(/^not looked for: .* this and 144999 later reference\(s\) were not followed$/);
    expect(r.manifest.files.find((f) => f.originalPath.endsWith('\\ERRORLOG'))?.storedPath).toBeDefined();
  }, 180_000);

  it('a 200,000-row SQL export', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const sql = tmp('espy-sql-');
    mkdirSync(join(sql, 'MSSQLSERVER'));
    const rows = ['name|dll_name', '----|--------'];
    for (let i = 0; i < 200_000; i++) rows.push(`xp_${i}|${i % 2 ? `C:\\Tools\\p${i}.dll` : 'xpstar.dll'}`);
    writeFileSync(join(sql, 'MSSQLSERVER', 'esps.txt'), `${rows.join('\r\n')}\r\n`);
    const r = await measure('200,000-row SQL export collect', () => collect(baseOptions(t.dir, tmp('espy-out-'), { sqlExport: sql })));
    // The export's budget of names: xpstar.dll and MAX_NAMED_DLLS - 1 tools looked for, one row for the rest.
    const tools = r.manifest.files.filter((f) => f.originalPath.startsWith('C:\\Tools\\'));
    expect(tools.filter((f) => f.error === 'not present in the source')).toHaveLength(MAX_NAMED_DLLS - 1);
    expect(tools.filter((f) => f.error?.startsWith('not looked for'))).toHaveLength(1);
    expect(r.manifest.files.find((f) => f.kind === 'sql-export')?.storedPath).toBe('sql/MSSQLSERVER/esps.txt');
    expect(r.manifest.files.find((f) => f.originalPath.toLowerCase().endsWith('binn\\xpstar.dll'))?.storedPath).toBeDefined();
  }, 180_000);

  it('an export larger than MAX_SQL_TEXT_BYTES: its first part is read for DLL names, and the log says so', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const sql = tmp('espy-sql-');
    const rows = ['name,dll_name', 'xp_first,C:\\Big\\first.dll'];
    const pad = 'xp_pad,xpstar.dll';
    for (let n = 0; n * (pad.length + 2) <= MAX_SQL_TEXT_BYTES; n++) rows.push(pad);
    rows.push('xp_last,C:\\Big\\last.dll');
    writeFileSync(join(sql, 'esps.csv'), `${rows.join('\r\n')}\r\n`);
    const logs: string[] = [];
    const r = await collect(baseOptions(t.dir, tmp('espy-out-'), { sqlExport: sql, log: (_l, m) => logs.push(m) }));
    const big = r.manifest.files.filter((f) => f.originalPath.startsWith('C:\\Big\\'));
    expect(big.map((f) => [f.originalPath, f.error])).toEqual([['C:\\Big\\first.dll', 'not present in the source']]);
    expect(logs.some((l) => l.includes(`larger than ${MAX_SQL_TEXT_BYTES} bytes: only its first ${MAX_SQL_TEXT_BYTES} bytes are read for DLL names`))).toBe(true);
    expect(r.manifest.files.find((f) => f.kind === 'sql-export')?.storedPath).toBe('sql/esps.csv');
  }, 180_000);

  it('an export of an odd number of bytes, its last line unended, is read to its last byte', async () => {
    const t = testdir(hostTree());
    track(t.cleanup);
    const sql = tmp('espy-sql-');
    const text = 'name,dll_name\r\nxp_od,C:\\Odd\\odd.dll';
    expect(Buffer.byteLength(text) % 2).toBe(1);
    writeFileSync(join(sql, 'esps.csv'), text);
    const r = await collect(baseOptions(t.dir, tmp('espy-out-'), { sqlExport: sql }));
    expect(r.manifest.files.filter((f) => f.originalPath.startsWith('C:\\Odd\\')).map((f) => f.originalPath)).toEqual(['C:\\Odd\\odd.dll']);
  });

  it('100,000 two-byte "MZ" files in a sweep folder: none is classified (none can be a PE)', async () => {
    const many: MemoryTree = {};
    for (let i = 0; i < 100_000; i++) many[`f${i}.dll`] = 'MZ';
    many['real.dll'] = fakePe('real opends60.dll');
    const tree: MemoryTree = { C: { ProgramData: { many } } };
    let classified = 0;
    const plan = await measure('sweep of 100,000 two-byte MZ files', () =>
      planCollection(
        memoryFsView(tree),
        { kind: 'kape', drives: [{ drive: 'C', base: ['C'], encoded: false }], notes: [] },
        {
          sweep: 'smart',
          copyBinn: false,
          maxFileSize: 1 << 30,
          log: () => undefined,
          classify: (b) => (classified++, fakeClassify(b)),
        },
      ),
    );
    expect(classified).toBe(1);
    expect(plan.sweepSeen).toBe(100_001);
    expect(plan.items.map((i) => i.originalPath)).toEqual(['C:\\ProgramData\\many\\real.dll']);
  }, 180_000);

  it('the sweep count budget stops classifying and says so', async () => {
    const many: MemoryTree = {};
    for (let i = 0; i < 30; i++) many[`f${String(i).padStart(2, '0')}.dll`] = fakePe(`pe ${i}`);
    const logs: string[] = [];
    const plan = await planCollection(
      memoryFsView({ C: { ProgramData: many } }),
      { kind: 'kape', drives: [{ drive: 'C', base: ['C'], encoded: false }], notes: [] },
      {
        sweep: 'smart',
        copyBinn: false,
        maxFileSize: 1 << 30,
        log: (_l, m) => logs.push(m),
        classify: fakeClassify,
        sweepBudget: { files: 10 },
      },
    );
    expect(plan.sweepPe).toBe(10);
    expect(plan.skipped).toEqual([{ path: 'C:\\ProgramData\\f10.dll', reason: 'sweep budget reached (10 PE files classified): this and 19 later candidate file(s) not classified', budget: true }]);
    expect(logs.some((l) => l.startsWith('sweep budget reached'))).toBe(true);
  });
});
