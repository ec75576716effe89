import { Command, Option } from 'commander';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { readEvtxInfo, type EvtxInfo } from '../../parsers/evtx/index.js';
import type { CommandFactory } from '../command.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { openFileSource } from '../file-source.js';
import { dumpEvtx } from './evtx-dump.js';

/** `espy evtx dump|info`. Actions validate options and call one function. */

/** A named file that does not exist is a usage error (exit 2), as for `scan`; an unreadable one is reported by the command. */
async function requireFiles(command: string, files: readonly string[], cwd: string): Promise<void> {
  for (const f of files) {
    const missing = await stat(resolve(cwd, f)).then(
      () => false,
      (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR',
    );
    if (missing) throw new UsageError(`evtx ${command}: no such file or folder: ${f}`);
  }
}

const FORMATS = ['jsonl', 'json', 'xml'] as const;

/** Options of `evtx dump` after validation. */
export const DumpArgs = z.object({
  files: z.array(z.string().min(1)).min(1),
  format: z.enum(FORMATS),
  threads: z.union([z.number().int().min(1).max(256), z.literal('auto')]),
  includeRecovered: z.boolean(),
  codepage: z.string().min(1).optional(),
});
export type DumpArgs = z.infer<typeof DumpArgs>;

function checkCodepage(label: string | undefined): void {
  if (label === undefined) return;
  try {
    new TextDecoder(label);
  } catch {
    throw new UsageError(`unknown codepage ${JSON.stringify(label)} (use a WHATWG encoding label such as windows-1252, windows-1251, shift_jis)`);
  }
}

/** Pure flag parsing for `evtx dump` (tests call it). */
export function parseDumpArgs(files: string[], raw: { format?: string; threads?: string; includeRecovered?: boolean; codepage?: string }): DumpArgs {
  const threads = raw.threads === undefined || raw.threads === 'auto' ? 'auto' : Number(raw.threads);
  const parsed = DumpArgs.safeParse({
    files,
    format: raw.format ?? 'jsonl',
    threads,
    includeRecovered: Boolean(raw.includeRecovered),
    ...(raw.codepage === undefined ? {} : { codepage: raw.codepage }),
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UsageError(`evtx dump: invalid ${i?.path.join('.') || 'arguments'}: ${i?.message ?? ''}`);
  }
  checkCodepage(parsed.data.codepage);
  return parsed.data;
}

/** The JSON object `evtx info --json` prints for one file (one object per line). */
export function infoJson(file: string, info: EvtxInfo | undefined, error?: string): Record<string, unknown> {
  if (!info) return { file, error, records: 0, failed: 0, recovered: 0, diagnostics: [] };
  const h = info.header;
  return {
    file,
    size: info.size,
    header: h && {
      version: `${h.majorVersion}.${h.minorVersion}`,
      firstChunkNumber: Number(h.firstChunkNumber),
      lastChunkNumber: Number(h.lastChunkNumber),
      nextRecordId: Number(h.nextRecordId),
      numberOfChunks: h.numberOfChunks,
      flags: h.fileFlags,
      dirty: h.isDirty,
      full: h.isFull,
      checksumOk: h.hasValidChecksum,
    },
    records: info.records,
    failed: info.failed,
    recovered: info.recovered,
    firstTimestamp: info.firstTimestamp ?? null,
    lastTimestamp: info.lastTimestamp ?? null,
    chunks: info.chunks,
    histogram: info.histogram,
    diagnostics: info.diagnostics,
    diagnosticsDropped: info.diagnosticsDropped,
    errors: info.errors,
  };
}

function infoText(file: string, info: EvtxInfo): string {
  const h = info.header;
  const lines = [`${file}`, `  size: ${info.size} bytes`];
  if (h) {
    lines.push(
      `  format: EVTX ${h.majorVersion}.${h.minorVersion}, chunks declared ${h.numberOfChunks}, next record id ${h.nextRecordId}`,
      `  flags: 0x${h.fileFlags.toString(16)}${h.isDirty ? ' dirty' : ''}${h.isFull ? ' full' : ''}; header checksum ${h.hasValidChecksum ? 'ok' : 'MISMATCH'}`,
    );
  }
  lines.push(`  records: ${info.records} ok, ${info.failed} failed, ${info.recovered} recoverable from slack`);
  if (info.firstTimestamp) lines.push(`  time range: ${info.firstTimestamp} .. ${info.lastTimestamp ?? ''}`);
  lines.push('  chunks:');
  for (const c of info.chunks) {
    const ids = c.firstRecordId === undefined ? '' : ` ids ${c.firstRecordId}-${c.lastRecordId}`;
    const crc = c.state === 'ok' ? ` crc hdr ${c.headerChecksumOk ? 'ok' : 'BAD'} data ${c.dataChecksumOk ? 'ok' : 'BAD'}` : '';
    lines.push(`    #${c.index} @0x${c.offset.toString(16)} ${c.state}${ids}${crc} records ${c.records}/${c.failed} failed/${c.recovered} recovered`);
  }
  if (info.histogram.length > 0) {
    lines.push('  events (provider / EventID: count):');
    for (const e of info.histogram.slice(0, 50)) lines.push(`    ${e.provider} / ${e.eventId}: ${e.count}`);
    if (info.histogram.length > 50) lines.push(`    ... ${info.histogram.length - 50} more`);
  }
  if (info.diagnostics.length > 0) {
    lines.push('  diagnostics:');
    for (const d of info.diagnostics) lines.push(`    ${d.code} @${d.offset}: ${d.message}`);
  }
  for (const e of info.errors) lines.push(`  failed record${e.recordId === undefined ? '' : ' ' + e.recordId} @${e.offset}: ${e.message}`);
  return lines.join('\n') + '\n';
}

/** `espy evtx info`: reads each file and prints a summary (text, or one JSON object per line). */
export async function infoEvtx(ctx: CliContext, files: string[], json: boolean, codepage: string | undefined): Promise<void> {
  for (const file of files) {
    if (ctx.signal.aborted) return;
    let src;
    try {
      src = await openFileSource(file);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      ctx.markPartial(`${file}: ${msg}`);
      if (json) ctx.stdout.write(JSON.stringify(infoJson(file, undefined, msg)) + '\n');
      else ctx.log.error(`${file}: cannot open: ${msg}`);
      continue;
    }
    try {
      const info = await readEvtxInfo(src, codepage === undefined ? {} : { codepage });
      if (info.diagnostics.some((d) => d.code === 'NOT_EVTX' || d.code === 'EMPTY_FILE' || d.code === 'FILE_HEADER_TRUNCATED') && info.chunks.length === 0) {
        ctx.markPartial(`${file}: not a readable EVTX file`);
      }
      ctx.stdout.write(json ? JSON.stringify(infoJson(file, info)) + '\n' : infoText(file, info));
    } finally {
      await src.close();
    }
  }
}

export const evtxCommand: CommandFactory = (ctx) => {
  const cmd = new Command('evtx').description('read Windows event logs (.evtx): dump records, summarise files');
  cmd
    .command('dump')
    .description('print every record as evtx_dump JSON lines (default), a JSON array, or XML')
    .argument('<files...>', 'EVTX files')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('jsonl'))
    .option('--threads <n>', 'worker threads, or auto (the default): the number of cores for 256 MiB of input or more, else 1')
    .option('--include-recovered', 'also print records recovered from chunk slack')
    .option('--codepage <label>', 'codepage of ANSI strings (default windows-1252)')
    .action(async (files: string[], raw: { format?: string; threads?: string; includeRecovered?: boolean; codepage?: string }) => {
      const c = ctx();
      const args = parseDumpArgs(files, raw);
      await requireFiles('dump', files, c.cwd);
      const sum = await dumpEvtx({ ...args, codepage: args.codepage, out: c.stdout, log: c.log, signal: c.signal });
      c.log.info(`evtx dump: ${sum.records} record(s) from ${sum.files} file(s), ${sum.failed} failed, ${sum.recovered} recovered${sum.unreadable ? `, ${sum.unreadable} unreadable file(s)` : ''}`);
      if (sum.unreadable > 0 || sum.failed > 0) c.markPartial(`${sum.unreadable} unreadable file(s), ${sum.failed} failed record(s)`);
    });
  cmd
    .command('info')
    .description('header, flags, chunk table with checksums, record counts, time range, EventID histogram, diagnostics')
    .argument('<files...>', 'EVTX files')
    .option('--json', 'one JSON object per file per line')
    .option('--codepage <label>', 'codepage of ANSI strings (default windows-1252)')
    .action(async (files: string[], raw: { json?: boolean; codepage?: string }) => {
      const c = ctx();
      checkCodepage(raw.codepage);
      await requireFiles('info', files, c.cwd);
      await infoEvtx(c, files, Boolean(raw.json) || c.json, raw.codepage);
    });
  return cmd;
};
