import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTO_THREADS_MIN_BYTES, autoThreads } from '../../cli/commands/evtx-dump.js';
import { parseDumpArgs } from '../../cli/commands/evtx.js';
import { UsageError } from '../../cli/exit-codes.js';
import { runCli } from '../support/cli.js';
import { requireCorpus } from '../support/paths.js';

const DIR = requireCorpus('evtx');
const SMALL = join(DIR, '4renwald_evtx-python/samples/TerminalServices-RemoteConnectionManagerOperational.evtx');
const DAMAGED = join(DIR, 'omerbenamram_evtx/samples/sample_with_a_bad_chunk_magic.evtx');

describe('evtx dump flags (parseDumpArgs)', () => {
  it('defaults and validation', () => {
    const a = parseDumpArgs(['x.evtx'], {});
    expect(a.format).toBe('jsonl');
    expect(a.threads).toBe('auto');
    expect(parseDumpArgs(['x'], { threads: 'auto' }).threads).toBe('auto');
    expect(a.includeRecovered).toBe(false);
    expect(parseDumpArgs(['x'], { format: 'xml', threads: '3', includeRecovered: true, codepage: 'windows-1251' })).toMatchObject({
      format: 'xml',
      threads: 3,
      includeRecovered: true,
      codepage: 'windows-1251',
    });
    expect(() => parseDumpArgs(['x'], { threads: '0' })).toThrow(UsageError);
    expect(() => parseDumpArgs(['x'], { threads: 'many' })).toThrow(UsageError);
    expect(() => parseDumpArgs(['x'], { codepage: 'klingon' })).toThrow(UsageError);
    expect(() => parseDumpArgs([], {})).toThrow(UsageError);
  });
});

describe('evtx dump thread count when --threads is unset (autoThreads)', () => {
  it('one thread below AUTO_THREADS_MIN_BYTES of input, the cores from there on', () => {
    expect(autoThreads(0, 8)).toBe(1);
    expect(autoThreads(AUTO_THREADS_MIN_BYTES - 1, 8)).toBe(1);
    expect(autoThreads(AUTO_THREADS_MIN_BYTES, 8)).toBe(8);
    expect(autoThreads(AUTO_THREADS_MIN_BYTES * 4, 2)).toBe(2);
    expect(autoThreads(AUTO_THREADS_MIN_BYTES, 0)).toBe(1);
  });
});

describe('espy evtx (end to end, in-process)', () => {
  it('dump jsonl: one evtx_dump object per line', async () => {
    const r = await runCli(['evtx', 'dump', '--threads', '1', SMALL]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Event: { System: { EventRecordID: number } } });
    expect(lines).toHaveLength(15);
    expect(lines[0]?.Event.System.EventRecordID).toBe(2002);
  });

  it('dump json is one array; xml is one <Events> document', async () => {
    const j = await runCli(['evtx', 'dump', '--format', 'json', '--threads', '1', SMALL]);
    expect((JSON.parse(j.stdout) as unknown[]).length).toBe(15);
    const x = await runCli(['evtx', 'dump', '--format', 'xml', '--threads', '1', SMALL]);
    expect(x.stdout.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<Events>\n')).toBe(true);
    expect(x.stdout.match(/<Event xmlns=/g)).toHaveLength(15);
    expect(x.stdout.endsWith('</Events>\n')).toBe(true);
  });

  it('damaged file: failed records on stderr, exit 3, recovered records on request', async () => {
    const plain = await runCli(['evtx', 'dump', '--threads', '1', DAMAGED]);
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/failed: evtx:/);
    const n = plain.stdout.trim().split('\n').length;
    const rec = await runCli(['evtx', 'dump', '--threads', '1', '--include-recovered', DAMAGED]);
    expect(rec.stdout.trim().split('\n').length).toBeGreaterThan(n);
  });

  it('info: text and --json; unreadable inputs are reported and the run goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espy-evtx-'));
    const text = join(dir, 'notes.evtx');
    writeFileSync(text, 'not an event log\n'.repeat(100));
    // A path that does not exist is the user's mistake (exit 2, as for scan); a file that is no event log is reported and the run goes on (exit 3).
    expect((await runCli(['evtx', 'info', '--json', join(dir, 'missing.evtx'), text, SMALL])).code).toBe(2);
    const r = await runCli(['evtx', 'info', '--json', text, SMALL]);
    expect(r.code).toBe(3);
    const objs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; records: number; diagnostics: { code: string }[]; error?: string });
    expect(objs.map((o) => o.records)).toEqual([0, 15]);
    expect(objs[0]?.diagnostics.map((d) => d.code)).toEqual(['NOT_EVTX']);
    const t = await runCli(['evtx', 'info', SMALL]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/records: 15 ok, 0 failed/);
    expect(t.stdout).toMatch(/Microsoft-Windows-TerminalServices-RemoteConnectionManager \/ 261: /);
  });

  it('a bad codepage is a usage error', async () => {
    const r = await runCli(['evtx', 'dump', '--codepage', 'nope', SMALL]);
    expect(r.code).toBe(2);
  });
});
