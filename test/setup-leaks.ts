/**
 * Fails a test file that leaks a file descriptor: Node closes a `FileHandle` nobody closed
 * when it is garbage-collected and says so with a "Closing file descriptor N on garbage
 * collection" warning. A collection is forced at the end of every file (vitest runs the
 * forks with --expose-gc) so that the leak shows in the file that made it.
 */
import { afterAll } from 'vitest';

const leaks: string[] = [];

process.on('warning', (w) => {
  if (/Closing file descriptor \d+ on garbage collection/.test(w.message)) leaks.push(w.message);
});

const gc = (globalThis as { gc?: () => void }).gc;

afterAll(async () => {
  if (gc) {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  if (leaks.length > 0) {
    const n = leaks.length;
    leaks.length = 0;
    throw new Error(`${n} file descriptor(s) were left open and closed by garbage collection`);
  }
});
