/**
 * Bundles built to exhaust memory, given to the built CLI and to the collector's reader in a
 * child process whose peak RSS is measured: a ~2 MB zip bomb (entries inflating to 1 GiB,
 * one lying about its size) and a zip of 200,000 entries. Each run ends with a clear result
 * (a partial analysis naming what was refused) within a bounded peak RSS, printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { MAX_ENTRY_READ_BYTES } from '../../collector/zip-entry-source.js';
import { MAX_ZIP_ENTRIES } from '../../collector/zip-reader.js';
import { REPO_ROOT } from '../support/paths.js';
import { craftRawZip, storedEntry, type CraftedEntry } from './zip-craft.js';
import { zerosDeflated } from './zip64-craft.js';

/** The bound on peak RSS for reading a hostile bundle, through the collector or with `espy analyze`. */
const RSS_LIMIT_MB = 200;
const MIB = 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), 'espy-bomb-'));
const BOMB = join(work, 'espy-BOMB-20260101T000000Z.zip');
const MANY = join(work, 'espy-MANY-20260101T000000Z.zip');
const CLEAN = join(work, 'espy-CLEAN-20260101T000000Z.zip');
const LOGS = 'files/C/Windows/System32/winevt/Logs';
const SQL = 'files/C/Program Files/Microsoft SQL Server/MSSQL15.MSSQLSERVER/MSSQL';

beforeAll(async () => {
  const gib = await zerosDeflated(1024);
  const mib300 = await zerosDeflated(300);
  const mib200 = await zerosDeflated(200);
  const head = [storedEntry('collection.log', 'crafted\n'), storedEntry(`${SQL}/Log/ERRORLOG.1`, '2026-01-01 00:00:00.00 Server      Microsoft SQL Server 2019\r\n')];
  const bomb = craftRawZip([
    // The bundle's own records, inflating to 1 GiB each: only a bounded head is ever read.
    { name: 'collection.log', ...gib, deflated: true, size: 1024 * MIB },
    { name: 'manifest.json', ...gib, deflated: true, size: 1024 * MIB },
    head[1] as CraftedEntry,
    { name: `${LOGS}/Security.evtx`, ...gib, deflated: true, size: 1024 * MIB },
    { name: `${SQL}/Log/ERRORLOG`, ...mib300, deflated: true, size: 300 * MIB },
    { name: `${SQL}/Binn/xpbomb.dll`, ...mib200, deflated: true, size: 200 * MIB },
    // Declares 1,000 bytes, inflates to 1 GiB: stopped as the bytes arrive.
    { name: `${LOGS}/System.evtx`, ...gib, deflated: true, size: 1000 },
  ]);
  writeFileSync(BOMB, bomb);
  writeFileSync(CLEAN, craftRawZip(head));
  const many: CraftedEntry[] = [...head];
  for (let i = 0; i < 200_000; i++) many.push(storedEntry(`files/C/Temp/many/${String(i).padStart(6, '0')}.txt`, ''));
  writeFileSync(MANY, craftRawZip(many));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `node args` under /usr/bin/time -v: exit code, stderr, peak RSS in MB. */
function measured(args: string[]): { code: number | null; stderr: string; stdout: string; rssMb: number; seconds: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { cwd: work, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: work, NO_COLOR: '1' }, timeout: 300_000 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  if (!kb) throw new Error(`no RSS from /usr/bin/time: ${r.stderr.slice(-500)}`);
  const stderr = r.stderr.slice(0, r.stderr.lastIndexOf('\tCommand being timed'));
  return { code: r.status, stderr, stdout: r.stdout, rssMb: Number(kb) / 1024, seconds };
}

/** Opens the bundle with the built collector, reads every artefact in 1 MiB steps and whole (or only lists them), prints a summary. */
const READER = `
const { openEvidence } = await import(${JSON.stringify(join(REPO_ROOT, 'build', 'collector', 'index.js'))});
const ev = await openEvidence(process.argv[1]);
const listOnly = process.argv[2] === 'list';
const rows = [];
for (const a of await ev.list()) {
  let read = 0, error = '';
  if (listOnly) { rows.push({ path: a.storedPath, size: a.size, read, error }); continue; }
  try {
    const s = await ev.open(a);
    try {
      for (let at = 0; at < Math.min(s.size, 64 << 20); at += 1 << 20) read += (await s.read(at, 1 << 20)).length;
      await s.read(0, s.size);
    } finally { await s.close?.(); }
  } catch (e) { error = e.message; }
  rows.push({ path: a.storedPath, size: a.size, read, error });
}
const log = listOnly ? [] : await ev.collectionLog();
await ev.close();
console.log(JSON.stringify({ entries: rows.length, rows: rows.slice(0, 20), refused: ev.refused ?? [], logLines: log.length, logEnd: log.at(-1) ?? '', manifestError: ev.manifestError ?? '' }));
`;

describe('hostile bundles: bounded memory, a clear result', () => {
  it('the bomb is small on disk and declares gigabytes', () => {
    const size = statSync(BOMB).size;
    console.log(`zip bomb: ${(size / MIB).toFixed(1)} MiB on disk, ${4 * 1024 + 300 + 200} MiB inflated`);
    expect(size).toBeLessThan(5 * MIB);
  });

  it('the collector reads the bomb entry by entry within the RSS bound, refusing what is too large', () => {
    const r = measured(['--input-type=module', '-e', READER, BOMB]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: { path: string; read: number; error: string }[] };
    console.log(`collector read of the bomb: peak RSS ${r.rssMb.toFixed(0)} MB, ${r.seconds.toFixed(1)} s`);
    const row = (end: string): { read: number; error: string } => out.rows.find((x) => x.path.endsWith(end)) ?? { read: -1, error: 'absent' };
    // Streamed in steps (64 MiB read), then the whole-file read refused by name.
    expect(row('Security.evtx').read).toBe(64 * MIB);
    expect(row('Security.evtx').error).toContain(`larger than ${MAX_ENTRY_READ_BYTES} bytes`);
    expect(row('/ERRORLOG').error).toContain(`larger than ${MAX_ENTRY_READ_BYTES} bytes`);
    expect(row('xpbomb.dll').error).toContain(`larger than ${MAX_ENTRY_READ_BYTES} bytes`);
    expect(row('System.evtx').error).toMatch(/too many bytes|inflates past/);
    expect(row('ERRORLOG.1').error).toBe('');
    const all = out as unknown as { logEnd: string; manifestError: string };
    expect(all.logEnd).toMatch(/^\(collection\.log continues: only its first \d+ of 1073741824 bytes are shown\)$/);
    expect(all.manifestError).toMatch(/larger than \d+ bytes/);
    expect(r.rssMb).toBeLessThanOrEqual(RSS_LIMIT_MB);
  });

  it('espy analyze of the bomb: a partial result naming the refused entries, no stack, bounded RSS', () => {
    const clean = measured([join(REPO_ROOT, 'bin', 'espy.js'), 'analyze', CLEAN, '--out', 'clean-out']);
    expect(clean.code, clean.stderr).toBe(EXIT.OK);
    const r = measured([join(REPO_ROOT, 'bin', 'espy.js'), 'analyze', BOMB, '--out', 'bomb-out']);
    console.log(`espy analyze: clean bundle peak RSS ${clean.rssMb.toFixed(0)} MB (${clean.seconds.toFixed(1)} s); zip bomb ${r.rssMb.toFixed(0)} MB (${r.seconds.toFixed(1)} s)`);
    expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
    expect(r.code, r.stderr).toBe(EXIT.PARTIAL);
    const analysis = JSON.parse(readFileSync(join(work, 'bomb-out', 'analysis.json'), 'utf8')) as { errors: { artefact: string; message: string }[] };
    const said = analysis.errors.map((e) => `${e.artefact}: ${e.message}`).join('\n');
    expect(said).toMatch(/xpbomb\.dll: .*larger than/);
    // The ERRORLOG is streamed in windows, never refused for its size: its 300 MiB are read and are no log.
    expect(said).toMatch(/ERRORLOG: line 1: no line starts with an ERRORLOG timestamp/);
    expect(r.rssMb).toBeLessThanOrEqual(RSS_LIMIT_MB);
  });

  it(`200,000 entries: the first ${MAX_ZIP_ENTRIES} listed, the rest counted in one refused row, within the RSS bound`, () => {
    const r = measured(['--input-type=module', '-e', READER, MANY, 'list']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { entries: number; refused: { name: string; reason: string }[] };
    console.log(`collector listing of 200,000 entries: peak RSS ${r.rssMb.toFixed(0)} MB, ${r.seconds.toFixed(1)} s, ${out.entries} artefacts`);
    // The two records (collection.log, ERRORLOG.1) come first; collection.log is not an artefact.
    expect(out.entries).toBe(MAX_ZIP_ENTRIES - 1);
    expect(out.refused).toEqual([{ name: `(${200_002 - MAX_ZIP_ENTRIES} entries not read)`, reason: `more than ${MAX_ZIP_ENTRIES} entries: the rest of the zip is not read` }]);
    expect(r.rssMb).toBeLessThanOrEqual(RSS_LIMIT_MB);
    // The CLI: a partial result (exit 3) whose warning names what was not read.
    const cli = measured([join(REPO_ROOT, 'bin', 'espy.js'), 'analyze', MANY, '--out', 'many-out']);
    console.log(`espy analyze of 200,000 entries: peak RSS ${cli.rssMb.toFixed(0)} MB, ${cli.seconds.toFixed(1)} s`);
    expect(cli.stderr).not.toMatch(/^\s+at |internal error/m);
    expect(cli.code, cli.stderr).toBe(EXIT.PARTIAL);
    expect(cli.rssMb).toBeLessThanOrEqual(RSS_LIMIT_MB);
    expect(cli.stderr).toMatch(new RegExp(`^warning: .*zip entries not read: \\(${200_002 - MAX_ZIP_ENTRIES} entries not read\\)`, 'm'));
  });
});
