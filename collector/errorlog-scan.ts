/**
 * Phase one for an ERRORLOG of any size: the DLL names and the server name, in one streamed
 * parse (a 200 MB log never sits in memory whole, the work is linear in its size).
 *
 * One read of the file (the parser's one-pass mode), two nets: the parsed entries as events
 * (8128/33090/8131/17750 with their insertion strings), and the message patterns over every
 * physical line, which also catch a DLL named on a line the parser keeps in no entry (before
 * the first timestamp, an entry cut for its length, an impossible date: a tampered log).
 */
import { ERRORLOG_WINDOW_BYTES, streamErrorlog } from '../parsers/errorlog/index.js';
import { dllRefsFromErrorlog, dllRefsFromEvent, type DllRef } from './dll-refs.js';
import type { FsFile } from './fs-view.js';

const SERVER_NAME = /Server name is '([^'\\\r\n]+)/;

export interface ErrorlogScan {
  /** One reference per distinct DLL (case-insensitive), the first place naming it; empty with `onRef`. */
  refs: DllRef[];
  /** Host part of the first `Server name is '...'` line. */
  serverName?: string;
  /** `System.Computer` of the parsed events (the banner's host), if any. */
  computer?: string;
  /** Physical lines read. */
  lineCount: number;
}

export interface ErrorlogScanOptions {
  signal?: AbortSignal;
  windowBytes?: number;
  /**
   * Takes every reference as it is read, repeats included, and `refs` stays empty: the caller's
   * own list decides what it keeps (a log naming a million DLLs is never held here).
   */
  onRef?: (r: DllRef) => void;
}

export async function scanErrorlog(file: FsFile, label: string, opts: ErrorlogScanOptions = {}): Promise<ErrorlogScan> {
  const out: ErrorlogScan = { refs: [], lineCount: 0 };
  const seen = new Set<string>();
  const add =
    opts.onRef ??
    ((r: DllRef): void => {
      const k = r.dll.toLowerCase();
      if (seen.has(k)) return;
      seen.add(k);
      out.refs.push(r);
    });
  const { signal } = opts;
  const stream = streamErrorlog(
    { size: file.size, read: (o, n) => file.read(o, n) },
    {
      windowBytes: opts.windowBytes ?? ERRORLOG_WINDOW_BYTES,
      // DLL names need no exact provider or time basis: one read of the file, not two.
      onePass: true,
      ...(signal ? { signal } : {}),
      onLine: (text, line) => {
        for (const r of dllRefsFromErrorlog(text, label, line)) add(r);
        if (out.serverName === undefined) {
          const m = SERVER_NAME.exec(text);
          if (m?.[1]) out.serverName = m[1];
        }
      },
    },
  );
  let step = await stream.next();
  for (; !step.done; step = await stream.next()) {
    for (const r of dllRefsFromEvent(step.value.event, label)) add({ dll: r.dll, reason: `${label} line ${step.value.line}` });
  }
  if (step.value.computer) out.computer = step.value.computer;
  out.lineCount = step.value.lineCount;
  return out;
}
