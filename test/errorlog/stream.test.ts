/**
 * The streamed ERRORLOG parser: whatever the window (1 byte cuts every UTF-16 code unit, 7
 * bytes cuts lines at odd places), the entries and the summary are those of the whole file.
 * A forward-only source is read in one pass, never backwards, with the same result when the
 * banner is where SQL Server writes it, and a diagnostic when it is not. Ctrl-C (an aborted
 * signal) stops the stream.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource, type ByteSource } from '../../parsers/common/byte-source.js';
import { LOOKAHEAD_ENTRIES, parseErrorlog, streamErrorlog, type ErrorlogParseResult, type ErrorlogStreamOptions } from '../../parsers/errorlog/index.js';
import { requireCorpus } from '../support/paths.js';
import { banner, line, utf16Errorlog, utf8Errorlog } from './builders.js';

const WINDOWS = [1, 2, 3, 7, 64, 65_536];

async function streamed(source: ByteSource, opts: ErrorlogStreamOptions = {}): Promise<ErrorlogParseResult> {
  const g = streamErrorlog(source, opts);
  const entries = [];
  for (;;) {
    const r = await g.next();
    if (r.done) return { ...r.value, entries };
    entries.push(r.value);
  }
}

/** A source that streams past once: a read behind the previous one fails. */
function forwardOnly(bytes: Uint8Array): ByteSource & { reads: number } {
  const m = memorySource(bytes);
  let last = 0;
  const s = {
    size: m.size,
    forwardOnly: true,
    reads: 0,
    read(offset: number, length: number): Promise<Uint8Array> {
      if (offset < last) return Promise.reject(new Error(`read at ${offset} behind ${last}`));
      last = offset;
      s.reads++;
      return m.read(offset, length);
    },
  };
  return s;
}

const messy = [
  ...banner(),
  line('2024-03-02 10:00:00.00', 'Logon', 'Error: 18456, Severity: 14, State: 8.'),
  line('2024-03-02 10:00:00.00', 'Logon', "Login failed for user 'sa'. Reason: Password did not match. [CLIENT: 10.0.0.9]"),
  line('2024-03-02 10:01:00.00', 'spid51', "Using 'C:\\Temp\\é x.dll' version '1.0' to execute extended stored procedure 'xp_é'."),
  '\tcontinued',
  line('2024-03-02 09:00:00.00', 'spid51', 'clock back an hour'),
  line('2024-13-02 10:00:00.00', 'spid51', 'impossible date'),
];

const FILES: [string, Uint8Array][] = [
  ['UTF-16LE with BOM', utf16Errorlog(messy)],
  ['UTF-16LE without BOM', new Uint8Array(Buffer.from(messy.join('\r\n'), 'utf16le'))],
  ['UTF-16BE with BOM', new Uint8Array(Buffer.from(`\uFEFF${messy.join('\r\n')}`, 'utf16le').swap16())],
  ['UTF-8', utf8Errorlog(messy)],
  ['UTF-8 appended to UTF-16LE', new Uint8Array([...utf16Errorlog(messy), ...utf8Errorlog(messy)])],
  ['odd byte at the end', new Uint8Array([...utf16Errorlog(messy), 0x0a])],
];

describe('streamErrorlog: the whole-file result whatever the window', () => {
  for (const [name, bytes] of FILES) {
    it(name, async () => {
      const whole = parseErrorlog(bytes);
      expect(whole.entries.length).toBeGreaterThan(5);
      for (const windowBytes of WINDOWS) {
        expect(await streamed(memorySource(bytes), { windowBytes }), `window ${windowBytes}`).toEqual(whole);
        expect(await streamed(forwardOnly(bytes), { windowBytes }), `one pass, window ${windowBytes}`).toEqual(whole);
      }
    });
  }

  it('every corpus log, in 7-byte and 64 KiB windows', async () => {
    const dir = requireCorpus('errorlog');
    const files = ['NebrasAlshaghl-DB/Log/ERRORLOG.6', 'desarrollo789-dabases/MSSQL/Log/ERRORLOG', 'khitam99-DB_Project/ERRORLOG', 'tonyleesos-docker_mssql2019/log/errorlog'];
    for (const f of files) {
      const bytes = readFileSync(join(dir, f));
      const whole = parseErrorlog(bytes);
      for (const windowBytes of [7, 65_536]) expect(await streamed(memorySource(bytes), { windowBytes }), `${f} window ${windowBytes}`).toEqual(whole);
    }
  });
});

describe('a forward-only source: one pass', () => {
  const body: string[] = [];
  for (let i = 0; i < LOOKAHEAD_ENTRIES + 500; i++) body.push(line('2024-03-02 10:00:00.00', 'spid51', `Starting up database 'db${i}'.`));

  it('the banner first, as SQL Server writes it: the two-pass result, never a read backwards', async () => {
    const bytes = utf16Errorlog([...banner(), ...body]);
    const src = forwardOnly(bytes);
    expect(await streamed(src, { windowBytes: 4096 })).toEqual(parseErrorlog(bytes));
    expect(src.reads).toBeLessThan(bytes.length / 4096 + 3);
  });

  it('the banner after the look-ahead: FACTS_AFTER_LOOKAHEAD names what the events were built with', async () => {
    const bytes = utf16Errorlog([...body, ...banner()]);
    const r = await streamed(forwardOnly(bytes));
    const two = parseErrorlog(bytes);
    expect(r.provider).toBe(two.provider);
    expect(r.entries).toHaveLength(two.entries.length);
    const late = r.diagnostics.filter((d) => d.code === 'FACTS_AFTER_LOOKAHEAD');
    expect(late).toHaveLength(1);
    expect(late[0]?.message).toContain('provider MSSQLSERVER (file: MSSQL$SQLPROD)');
    expect(r.entries[0]?.event).not.toEqual(two.entries[0]?.event);
  });
});

describe('Ctrl-C', () => {
  it('an aborted signal stops the stream at its next read', async () => {
    const bytes = utf16Errorlog([...banner(), ...Array.from({ length: 5000 }, (_, i) => line('2024-03-02 10:00:00.00', 'spid51', `x${i}`))]);
    const ac = new AbortController();
    let reads = 0;
    const m = memorySource(bytes);
    const src = { size: m.size, read: (o: number, n: number) => (++reads === 3 && ac.abort(new Error('interrupted (SIGINT)')), m.read(o, n)) };
    await expect(streamed(src, { windowBytes: 4096, signal: ac.signal })).rejects.toThrow('interrupted (SIGINT)');
    expect(reads).toBe(3);
  });
});
