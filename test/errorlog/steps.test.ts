/**
 * The ERRORLOG parser in steps: it pauses every ERRORLOG_SLICE_LINES lines and entries, its
 * result is parseErrorlog's, and `runSteps` stops it part-way when the signal aborts (Ctrl-C
 * during a large log), instead of at the end of the file.
 */
import { describe, expect, it } from 'vitest';
import { ERRORLOG_SLICE_LINES, errorlogSteps, parseErrorlog } from '../../parsers/errorlog/index.js';
import { runSteps } from '../../detection/run-steps.js';
import { banner, line, utf16Errorlog } from './builders.js';

function bigLog(entries: number): Uint8Array {
  const lines = banner();
  for (let i = 0; i < entries; i++) {
    lines.push(
      line(
        `2024-03-02 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.12`,
        `spid${50 + (i % 40)}`,
        `Using 'xpstar.dll' version '2019.150.4322' to execute extended stored procedure 'xp_p${i}'. This is an informational message only; no user action is required.`,
      ),
    );
  }
  return utf16Errorlog(lines);
}

/** Steps pulled until the generator is done. */
function pauses(steps: Generator<void, unknown>): number {
  let n = 0;
  while (!steps.next().done) n++;
  return n;
}

describe('errorlogSteps', () => {
  const bytes = bigLog(5 * ERRORLOG_SLICE_LINES);

  it('pauses once per slice of lines and of entries, and returns what parseErrorlog returns', () => {
    const n = pauses(errorlogSteps(bytes));
    // Lines: the banner and 5 slices of entries; then the entries again.
    expect(n).toBeGreaterThanOrEqual(2 * 5 - 1);
    expect(n).toBeLessThanOrEqual(2 * 6);
    const steps = errorlogSteps(bytes);
    let r = steps.next();
    while (!r.done) r = steps.next();
    const whole = parseErrorlog(bytes);
    expect(r.value).toEqual(whole);
    expect(whole.entries.length).toBeGreaterThan(5 * ERRORLOG_SLICE_LINES);
  });

  it('a small log makes no pause at all', () => {
    expect(pauses(errorlogSteps(utf16Errorlog(banner())))).toBe(0);
  });

  it('runSteps gives the result when nothing aborts', async () => {
    expect(await runSteps(errorlogSteps(bytes), new AbortController().signal, 0)).toEqual(parseErrorlog(bytes));
  });

  it('runSteps stops at the next pause once the signal aborts (a Ctrl-C arriving while it parses)', async () => {
    const ac = new AbortController();
    const steps = errorlogSteps(bytes);
    let pulled = 0;
    const counted: Generator<void, unknown> = {
      next: () => {
        pulled++;
        return steps.next();
      },
      return: (v) => steps.return(v as never),
      throw: (e) => steps.throw(e),
      [Symbol.iterator]() {
        return this;
      },
    } as Generator<void, unknown>;
    // The "SIGINT" is an event-loop callback: it can only run at a pause.
    setImmediate(() => ac.abort(new Error('interrupted (SIGINT)')));
    await expect(runSteps(counted, ac.signal, 0)).rejects.toThrow('interrupted (SIGINT)');
    const total = pauses(errorlogSteps(bytes));
    expect(pulled).toBeLessThanOrEqual(2);
    expect(pulled).toBeLessThan(total);
  });
});
