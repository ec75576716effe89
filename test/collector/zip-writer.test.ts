import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../collector/bundle-reader.js';
import { ZipWriter } from '../../collector/zip-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'espy-zipw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the entries with a ZipWriter at `level` into `name`; returns the path. */
async function writeZip(name: string, level: number, entries: Iterable<{ name: string; data: () => Readable }>): Promise<string> {
  const path = join(dir, name);
  const zip = new ZipWriter(level);
  const written = pipeline(zip, createWriteStream(path));
  for (const e of entries) {
    const done = new Promise<void>((resolve) => zip.once('entry', () => resolve()));
    zip.append(e.data(), { name: e.name, date: new Date(2024, 2, 11, 1, 12, 3) });
    await done;
  }
  await zip.finalize();
  await written;
  return path;
}

/** Python's zipfile (an independent reader): names, sizes, and a CRC check of every entry. */
function pythonZip(path: string, check: boolean): { count: number; sizes: Record<string, number>; bad: string | null } {
  const code = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
infos = z.infolist()
bad = z.testzip() if sys.argv[2] == '1' else None
print(json.dumps({"count": len(infos), "sizes": {i.filename: i.file_size for i in infos[:5]}, "bad": bad}))`;
  const r = spawnSync('python3', ['-c', code, path, check ? '1' : '0'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { count: number; sizes: Record<string, number>; bad: string | null };
}

describe('ZipWriter: the plain bundle zip, read by independent tools', () => {
  it.each([0, 1, 6])('level %i: unzip -t, 7z t, python zipfile and espy read the same bytes back', async (level) => {
    const texts = ['', 'x', 'ERRORLOG line\r\n'.repeat(50_000), 'ü名前\n'];
    const path = await writeZip(
      `small-${level}.zip`,
      level,
      texts.map((t, i) => ({ name: `files/C/dir ü/${i}.txt`, data: () => Readable.from([Buffer.from(t)]) })),
    );
    expect(spawnSync('unzip', ['-tq', path], { encoding: 'utf8' }).status).toBe(0);
    expect(spawnSync('7z', ['t', path], { encoding: 'utf8' }).stdout).toMatch(/Everything is Ok/);
    const py = pythonZip(path, true);
    expect(py.bad).toBeNull();
    expect(py.count).toBe(4);
    const b = await openBundle(path);
    try {
      for (const [i, t] of texts.entries()) expect(Buffer.from(await b.readBytes(`files/C/dir ü/${i}.txt`, 1 << 24)).toString()).toBe(t);
    } finally {
      await b.close();
    }
  });

  it('65,600 entries: ZIP64 end records (the classic count field holds 65,535)', async () => {
    const n = 65_600;
    const path = await writeZip(
      'many.zip',
      1,
      (function* () {
        for (let i = 0; i < n; i++) yield { name: `e/${i}`, data: () => Readable.from([Buffer.from(String(i))]) };
      })(),
    );
    expect(pythonZip(path, false).count).toBe(n);
    expect(spawnSync('unzip', ['-l', path], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout).toMatch(new RegExp(`\\s${n} files`));
  }, 120_000);

  it('an entry over 4 GiB: ZIP64 sizes in the descriptor and the central directory; python checks its CRC', async () => {
    const mib = Buffer.alloc(1 << 20, 0x41);
    const count = 4 * 1024 + 3;
    const path = await writeZip('big.zip', 1, [
      {
        name: 'files/C/Windows/System32/winevt/Logs/Security.evtx',
        data: () =>
          Readable.from(
            (function* () {
              for (let i = 0; i < count; i++) yield mib;
            })(),
          ),
      },
      { name: 'after.txt', data: () => Readable.from([Buffer.from('after')]) },
    ]);
    const py = pythonZip(path, true);
    expect(py.bad).toBeNull();
    expect(py.sizes['files/C/Windows/System32/winevt/Logs/Security.evtx']).toBe(count * (1 << 20));
    expect(statSync(path).size).toBeLessThan(64 << 20);
    const b = await openBundle(path);
    try {
      expect(Buffer.from(await b.readBytes('after.txt', 100)).toString()).toBe('after');
    } finally {
      await b.close();
    }
  }, 180_000);
});
