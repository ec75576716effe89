/**
 * Zip64 bundles with entries past 2 GiB and 4 GiB: every read streams or reads in place, and
 * the offset and size arithmetic holds above 2^31 and 2^32. The archives are sparse files
 * (the zeros are holes) or deflated zeros, so a 5 GiB entry costs no disk; bsdtar is the
 * oracle that they are real zip64 archives.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openZip, type ZipIndex } from '../../collector/zip-reader.js';
import { EXIT } from '../../cli/exit-codes.js';
import { requireFreshBuild } from '../support/build.js';
import { REPO_ROOT } from '../support/paths.js';
import { writeSparseZip64, zerosDeflated } from './zip64-craft.js';

const GIB = 1024 ** 3;
const work = mkdtempSync(join(tmpdir(), 'espy-zip64-'));
const STORED = join(work, 'espy-STORED-20260101T000000Z.zip');
const DEFLATED = join(work, 'espy-DEFLATED-20260101T000000Z.zip');
const EVTX = 'files/C/Windows/System32/winevt/Logs/Security.evtx';
const LOG = 'files/C/Program Files/Microsoft SQL Server/MSSQL15.MSSQLSERVER/MSSQL/Log/ERRORLOG';
const ERRORLOG = Buffer.from('2026-01-01 00:00:00.00 Server      Microsoft SQL Server 2019\r\n', 'utf8');
const BIG = 5 * GIB + 12_345;
const mark = (s: string): Buffer => Buffer.from(s, 'latin1');
/** Four-byte marks straddling 2^31 and 2^32, and the entry's last four bytes. */
const MARKS = [
  { at: 2 ** 31 - 2, bytes: mark('<31>') },
  { at: 2 ** 32 - 2, bytes: mark('<32>') },
  { at: BIG - 4, bytes: mark('end!') },
];

let offsets: number[] = [];
beforeAll(async () => {
  offsets = writeSparseZip64(STORED, [
    { name: 'collection.log', data: mark('crafted\n') },
    { name: EVTX, data: mark('ElfFile\0'), zeros: BIG - 8, marks: MARKS },
    { name: LOG, data: ERRORLOG },
  ]);
  const z = await zerosDeflated(3 * 1024);
  writeSparseZip64(DEFLATED, [
    { name: 'collection.log', data: mark('crafted\n') },
    { name: EVTX, deflated: { bytes: z.stored, size: 3 * GIB, crc: z.crc } },
    { name: LOG, data: ERRORLOG },
  ]);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function entry(zip: ZipIndex, name: string): ZipIndex['entries'][number] {
  const e = zip.entries.find((x) => x.name === name);
  if (!e) throw new Error(`no ${name}`);
  return e;
}

describe('zip64 entries over 2 GiB and 4 GiB', () => {
  it('the crafted archives are zip64 as bsdtar reads them (the oracle)', () => {
    expect(offsets[2]).toBeGreaterThan(2 ** 32);
    for (const [path, size] of [
      [STORED, BIG],
      [DEFLATED, 3 * GIB],
    ] as const) {
      const r = spawnSync('bsdtar', ['-tvf', path], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`\\s${size}\\s.*Security\\.evtx`));
      expect(r.stdout).toMatch(/\s62\s.*ERRORLOG/);
    }
  });

  it('a stored 5 GiB entry: reads in place at offsets past 2^31 and 2^32, the entry after it read whole', async () => {
    const zip = await openZip(STORED);
    try {
      const big = entry(zip, EVTX);
      expect(big.size).toBe(BIG);
      const src = zip.openSource(big);
      try {
        expect(src.size).toBe(BIG);
        expect(Buffer.from(await src.read(0, 8)).toString('latin1')).toBe('ElfFile\0');
        for (const m of MARKS) expect(Buffer.from(await src.read(m.at, 4)).toString('latin1')).toBe(m.bytes.toString('latin1'));
        // Backwards, then around the marks: no re-inflating, any order.
        expect(Buffer.from(await src.read(2 ** 31 - 4, 8))).toEqual(Buffer.from([0, 0, ...mark('<31>'), 0, 0]));
        expect(Buffer.from(await src.read(2 ** 32, 4))).toEqual(Buffer.from([...mark('2>'), 0, 0]));
        // Cut at the end of the entry; nothing past it.
        expect(Buffer.from(await src.read(BIG - 2, 100)).toString('latin1')).toBe('d!');
        expect((await src.read(BIG + 10, 4)).length).toBe(0);
      } finally {
        await src.close();
      }
      expect(Buffer.from(await zip.readBytes(entry(zip, LOG), 1024))).toEqual(ERRORLOG);
    } finally {
      zip.close();
    }
  });

  it('a deflated 3 GiB entry: streamed forward past 2^31 and to its end, never read whole', async () => {
    const zip = await openZip(DEFLATED);
    try {
      const big = entry(zip, EVTX);
      expect(big.size).toBe(3 * GIB);
      const src = zip.openSource(big);
      try {
        expect(Buffer.from(await src.read(0, 16))).toEqual(Buffer.alloc(16));
        expect(Buffer.from(await src.read(2 ** 31 + 5, 16))).toEqual(Buffer.alloc(16));
        expect((await src.read(3 * GIB - 8, 100)).length).toBe(8);
        await expect(src.read(0, 3 * GIB)).rejects.toThrow(/larger than \d+ bytes/);
      } finally {
        await src.close();
      }
      expect(Buffer.from(await zip.readBytes(entry(zip, LOG), 1024))).toEqual(ERRORLOG);
    } finally {
      zip.close();
    }
  }, 120_000);

  it('espy analyze of a bundle with a 3 GiB Security.evtx: analysed, no size error', () => {
    requireFreshBuild();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'espy.js'), 'analyze', DEFLATED, '--out', 'out'], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: work, NO_COLOR: '1' },
      timeout: 300_000,
    });
    console.log(`espy analyze of a 3 GiB zip64 entry: ${Math.round(performance.now() - t0)} ms`);
    expect(r.stderr).not.toMatch(/^\s+at |internal error|2147483647/m);
    expect(r.status, r.stderr).toBe(EXIT.OK);
    const analysis = JSON.parse(readFileSync(join(work, 'out', 'analysis.json'), 'utf8')) as { errors: unknown[]; coverage: { source: string; notes: string[] }[] };
    expect(analysis.errors).toEqual([]);
    expect(analysis.coverage.find((c) => c.source === 'Security event log')?.notes.join('\n')).toMatch(/Security\.evtx: NOT_EVTX/);
  }, 300_000);
});
