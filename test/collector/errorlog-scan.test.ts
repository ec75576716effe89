import { describe, expect, it } from 'vitest';
import { dllRefsFromErrorlog } from '../../collector/dll-refs.js';
import { scanErrorlog } from '../../collector/errorlog-scan.js';
import { bufferFile } from '../../collector/fs-memory.js';
import { errorlogText, utf16 } from './testdir.js';

const TEXT = errorlogText([
  "Server name is 'SQL01'. This is an informational message only.",
  "Using 'C:\\ProgramData\\évil.dll' version '1.0.0' to execute extended stored procedure 'maggie'.",
  'noise line',
  "Attempting to load library 'xpstar.dll' into memory. This is an informational message only.",
  'Could not load the DLL D:\\x\\gone.dll, or one of the DLLs it references. Reason: 126.',
]);

describe('scanErrorlog: read in windows, same answer as the whole text', () => {
  const want = dllRefsFromErrorlog(TEXT, 'ERRORLOG');
  for (const [name, bytes] of [
    ['UTF-16LE with BOM', utf16(TEXT)],
    ['UTF-16LE without BOM', Buffer.from(TEXT, 'utf16le')],
    ['UTF-8', Buffer.from(TEXT, 'utf8')],
  ] as const) {
    it(`${name}, re-fed in awkward window sizes`, async () => {
      for (const window of [1, 2, 3, 7, 64, 1 << 20]) {
        const r = await scanErrorlog(bufferFile(bytes), 'ERRORLOG', { windowBytes: window });
        expect(
          r.refs.sort((a, b) => a.reason.localeCompare(b.reason) || a.dll.localeCompare(b.dll)),
          `window ${window}`,
        ).toEqual([...want].sort((a, b) => a.reason.localeCompare(b.reason) || a.dll.localeCompare(b.dll)));
        expect(r.serverName).toBe('SQL01');
      }
    });
  }

  it('line numbers are right across windows', async () => {
    const r = await scanErrorlog(bufferFile(Buffer.from(TEXT, 'utf8')), 'E', { windowBytes: 5 });
    expect(r.refs.map((x) => [x.dll, x.reason])).toEqual(
      expect.arrayContaining([
        ['C:\\ProgramData\\évil.dll', 'E line 2'],
        ['xpstar.dll', 'E line 4'],
        ['D:\\x\\gone.dll', 'E line 5'],
      ]),
    );
  });
});

describe('a 200 MB ERRORLOG', () => {
  it('is parsed in windows: its DLL found at the right line, every line read (time and peak RSS printed)', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 999; i++) lines.push(`Starting up database 'db${i}'.`);
    lines.push("Using 'C:\\ProgramData\\evil.dll' version '1.0' to execute extended stored procedure 'x'.");
    const block = Buffer.from(errorlogText(lines), 'utf16le');
    const bom = Buffer.from([0xff, 0xfe]);
    const blocks = Math.ceil((200 * 1024 * 1024) / block.length);
    const size = bom.length + blocks * block.length;
    // Generated on read: the fixture itself takes no memory.
    const file = {
      size,
      stream: () => {
        throw new Error('not used');
      },
      read(offset: number, length: number) {
        const out = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        for (let i = 0; i < out.length; i++) {
          const o = offset + i;
          out[i] = o < 2 ? (bom[o] as number) : (block[(o - 2) % block.length] as number);
        }
        return Promise.resolve(out);
      },
      close: () => Promise.resolve(),
    };
    const t0 = performance.now();
    const r = await scanErrorlog(file, 'ERRORLOG');
    console.log(`200 MB ERRORLOG scan: ${Math.round(performance.now() - t0)} ms, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    // One reference per distinct DLL, the first line naming it; every line was read.
    expect(r.refs.map((x) => [x.dll, x.reason])).toEqual([['C:\\ProgramData\\evil.dll', 'ERRORLOG line 1000']]);
    expect(r.lineCount).toBe(blocks * 1000);
  }, 300_000);
});
