import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { MemoryTree } from '../../collector/fs-memory.js';

/** Writes a tree literal into a fresh temp folder (changesets `testdir`). `{ link }` makes a symlink. */
export function testdir(tree: MemoryTree): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'espy-col-'));
  const write = (base: string, t: MemoryTree): void => {
    for (const [name, node] of Object.entries(t)) {
      const p = join(base, name);
      if (typeof node === 'string' || node instanceof Uint8Array) writeFileSync(p, node);
      else if (typeof (node as { link?: unknown }).link === 'string') symlinkSync((node as { link: string }).link, p);
      else {
        mkdirSync(p, { recursive: true });
        write(p, node as MemoryTree);
      }
    }
  };
  write(dir, tree);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** UTF-16LE with BOM, as SQL Server writes ERRORLOG on Windows. */
export function utf16(text: string): Uint8Array {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** A minimal PE-looking file: `MZ`, `e_lfanew` = 64, `PE\0\0` there, then the marker (enough for the sniffing the collector does). */
export function fakePe(marker: string): Uint8Array {
  const dos = Buffer.alloc(64);
  dos.write('MZ', 0, 'latin1');
  dos.writeUInt32LE(64, 0x3c);
  return Buffer.concat([dos, Buffer.from('PE\0\0', 'latin1'), Buffer.from(marker)]);
}

export function errorlogText(lines: string[]): string {
  return lines.map((l) => `2024-03-01 10:00:00.00 spid51      ${l}`).join('\r\n') + '\r\n';
}

/**
 * Temporary folders and other clean-ups undone after each test: call once at the top of a test
 * file, `const { tmp, track } = tempDirs();`.
 */
export function tempDirs(): { tmp(prefix: string): string; track(cleanup: () => void): void } {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()?.();
  });
  return {
    tmp(prefix: string): string {
      const d = mkdtempSync(join(tmpdir(), prefix));
      cleanups.push(() => rmSync(d, { recursive: true, force: true }));
      return d;
    },
    track(cleanup: () => void): void {
      cleanups.push(cleanup);
    },
  };
}
